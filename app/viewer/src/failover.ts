// Which node to play next when a player is let go, and when to say Offline. A player that had been
// playing and went away (its node stopped, or let it go for a new track layout) is tried again at
// once, the same node if it is the only one; only attempts that never played count towards
// Offline, which is said once every node has failed in a row.

export const OFFLINE_RETRY_MS = 2000;

export interface FailoverStep {
  /** The node to connect to next. */
  index: number;
  /** Every node failed in a row: say Offline and connect again after OFFLINE_RETRY_MS. */
  offline: boolean;
}

export class FailoverChoice {
  private current = 0;
  private failedInRound = 0;

  constructor(private readonly count: number) {
    if (count < 1) throw new Error('The page needs at least one node to play from');
  }

  get index(): number {
    return this.current;
  }

  /** The player was let go (error, end of stream, stall); `played` says whether it had played. */
  next(played: boolean): FailoverStep {
    if (!played) this.failedInRound += 1;
    this.current = (this.current + 1) % this.count;
    if (this.failedInRound >= this.count) {
      this.failedInRound = 0;
      return { index: this.current, offline: true };
    }
    return { index: this.current, offline: false };
  }

  /** Playback moved forward: the round of failures is over. */
  progressed(): void {
    this.failedInRound = 0;
  }
}
