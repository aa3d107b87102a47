// When a renderer dies while live, capture failover has already put the slate on air (its window
// detached from the presenter). This module opens a fresh window, which finds the session live and
// re-attaches its capture. Bounded: after `maxRestarts` crashes within `windowMs` it stops reopening.
import type { RenderProcessGoneDetails } from 'electron';

export interface CrashRecoveryOptions {
  maxRestarts?: number;
  windowMs?: number;
  now?: () => number;
}

export class CrashRecovery {
  private crashes: number[] = [];

  constructor(
    /** Opens a new main window (the old one is destroyed first). */
    private readonly reopen: () => void,
    private readonly onGiveUp: (details: RenderProcessGoneDetails) => void,
    private readonly opts: CrashRecoveryOptions = {},
  ) {}

  /** Call from the window's 'render-process-gone'. Returns whether a new window was opened. */
  handle(details: RenderProcessGoneDetails, destroyOld: () => void): boolean {
    // A clean exit (the window closed) is not a crash.
    if (details.reason === 'clean-exit') return false;
    const now = (this.opts.now ?? Date.now)();
    const windowMs = this.opts.windowMs ?? 60_000;
    this.crashes = [...this.crashes.filter((t) => now - t < windowMs), now];
    destroyOld();
    if (this.crashes.length > (this.opts.maxRestarts ?? 3)) {
      this.onGiveUp(details);
      return false;
    }
    this.reopen();
    return true;
  }
}
