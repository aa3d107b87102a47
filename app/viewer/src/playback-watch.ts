// Whether playback moves: progress is video.currentTime moving forward by about one tick (a bigger
// jump is a seek, not playing); no progress for stallMs is a stalled node. Also how far behind the
// live edge the page lets playback fall before it jumps ahead.

export const TICK_MS = 250;
/** Where a jump lands, behind the end of what is buffered (s). */
export const LIVE_EDGE_S = 0.6;
/** How far behind the buffered end playback may fall before the jump (s). */
export const MAX_BEHIND_S = 2.5;

export type PlaybackSample = 'progress' | 'stalled' | 'waiting';

export class PlaybackWatch {
  private lastTime: number | null = null;
  private lastProgressAt: number;

  constructor(private readonly stallMs: number, now: number) {
    this.lastProgressAt = now;
  }

  /** A new player: nothing seen yet, and stallMs from now before it counts as stalled. */
  restart(now: number): void {
    this.lastTime = null;
    this.lastProgressAt = now;
  }

  /** One tick with the playback position `t` (s) at `now` (ms). */
  sample(t: number, now: number): PlaybackSample {
    const moved = this.lastTime !== null && t > this.lastTime + 0.01 && t - this.lastTime < 1.5;
    this.lastTime = t;
    if (moved) {
      this.lastProgressAt = now;
      return 'progress';
    }
    return now - this.lastProgressAt > this.stallMs ? 'stalled' : 'waiting';
  }
}

/** Where to jump to when playback has fallen too far behind the buffered end, or null. */
export function liveEdgeTarget(t: number, bufferedEnd: number | null): number | null {
  return bufferedEnd !== null && bufferedEnd - t > MAX_BEHIND_S ? bufferedEnd - LIVE_EDGE_S : null;
}
