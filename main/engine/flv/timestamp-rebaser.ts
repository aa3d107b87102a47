// Per-relay timeline: whatever the source does (encoder restarts from 0 on a source switch,
// the relay re-joins after minutes away), the server sees one monotonic timeline that
// continues from where it stopped plus the wall-clock time that passed.

/** A source jump backwards larger than this is a new timeline, not jitter between tracks. */
const BACKWARD_JUMP_MS = 1000;

export class TimestampRebaser {
  private offset: number | null = null;
  private lastOut = -1;
  private lastWall = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The next media timestamp starts a new segment of the output timeline. */
  discontinuity(): void {
    this.offset = null;
  }

  get lastTimestamp(): number {
    return this.lastOut;
  }

  /**
   * Where source time `srcTs` lands on this timeline, without moving it: the current mapping while
   * a segment runs, else where the next segment would start now (the relay is away or waiting for
   * a keyframe) plus how far `srcTs` is ahead of the source's current time `nowSrcTs`. Cues are
   * stamped with it, so each server's viewers apply them at the same frame.
   */
  peek(srcTs: number, nowSrcTs: number = srcTs): number {
    if (this.offset !== null && srcTs + this.offset >= this.lastOut - BACKWARD_JUMP_MS) return Math.max(0, srcTs + this.offset);
    const next = this.lastOut < 0 ? 0 : this.lastOut + Math.max(1, this.now() - this.lastWall);
    return next + Math.max(0, srcTs - nowSrcTs);
  }

  map(srcTs: number): number {
    if (this.offset !== null && srcTs + this.offset < this.lastOut - BACKWARD_JUMP_MS) {
      this.offset = null;
    }
    if (this.offset === null) {
      const base = this.lastOut < 0 ? 0 : this.lastOut + Math.max(1, this.now() - this.lastWall);
      this.offset = base - srcTs;
    }
    const out = Math.max(0, srcTs + this.offset);
    if (out >= this.lastOut) {
      this.lastOut = out;
      this.lastWall = this.now();
    }
    return out;
  }
}
