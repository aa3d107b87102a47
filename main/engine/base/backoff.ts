// Retry delays: the first retry is fast (a server that blipped comes back at once), later ones
// grow to a cap, with jitter so N relays that lost the same server do not reconnect in lockstep.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay added or removed at random (0.2 → ±20%). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; `minMs` raises the floor (a rejected key must never retry fast). */
  next(minMs = 0): number {
    const { initialMs, maxMs, factor, jitter } = this.policy;
    const raw = Math.min(maxMs, Math.max(minMs, initialMs * factor ** this.attempt));
    this.attempt++;
    const spread = raw * jitter * (this.random() * 2 - 1);
    return Math.round(Math.min(maxMs * (1 + jitter), Math.max(0, raw + spread)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
