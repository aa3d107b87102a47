// When a supervised node of `tandem-node cluster` dies, when to start it again. One that had been
// serving for a while crashed: it is started again at once, since a presenter's engine is waiting to
// re-join it. One that dies again soon after (or before it serves at all) backs off, doubling, so a
// node that cannot start (its port taken, its data dir broken) is retried at a growing interval and
// reported each time instead of spinning; after too many failures in a row it is given up.

export interface RestartPolicyOptions {
  /** A node that served at least this long has recovered: its next death restarts it at once. */
  stableAfterMs: number;
  /** The wait before the second start in a row; each further one doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Failures in a row after which the node is given up. */
  maxFailures: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  stableAfterMs: 10_000,
  firstDelayMs: 500,
  maxDelayMs: 30_000,
  maxFailures: 10,
};

export type RestartDecision =
  | { kind: 'restart'; delayMs: number; failures: number }
  | { kind: 'give-up'; failures: number };

export class RestartPolicy {
  private failures = 0;

  constructor(private readonly o: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** The node died after serving for `servedMs` (0: it never served since its last start). */
  onDeath(servedMs: number): RestartDecision {
    if (servedMs >= this.o.stableAfterMs) this.failures = 0;
    this.failures += 1;
    if (this.failures >= this.o.maxFailures) return { kind: 'give-up', failures: this.failures };
    const delayMs = this.failures === 1 ? 0 : Math.min(this.o.firstDelayMs * 2 ** (this.failures - 2), this.o.maxDelayMs);
    return { kind: 'restart', delayMs, failures: this.failures };
  }
}
