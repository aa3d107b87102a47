// One demo node's process, through the injected launcher. A node that dies after it served is
// started again on its ports, with the same settings and state folder (so its Q&A survives), as
// `tandem-node cluster` does for its nodes: after a pause, and a bounded number of times, so a node
// that keeps dying does not spin the machine. Stopping ends it and any pending restart.
import type { LaunchedProcess } from '../../common/process-launcher.js';

const RESTART_DELAY_MS = 1000;
/** Restarts over the demo's life; past that the node stays down (the other keeps the webcast on air). */
const MAX_RESTARTS = 5;
const STOP_GRACE_MS = 12_000;

export class DemoNodeProcess {
  private child: LaunchedProcess;
  private stderr = '';
  private served = false;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /** How many times it was started again. */
  restarts = 0;

  constructor(private readonly launch: () => LaunchedProcess) {
    this.child = this.start();
  }

  /** The process running now (a new one after a restart). */
  get current(): LaunchedProcess {
    return this.child;
  }

  /** The last of what it wrote to stderr, for a sentence when it cannot start. */
  get lastWords(): string {
    return this.stderr.trim().slice(-500);
  }

  /** It served once: from now on a death means a restart, not a failed start. */
  markServed(): void {
    this.served = true;
  }

  /** Ends it (SIGTERM, SIGKILL after 12 s) and any restart pending; resolves once it is gone. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    return new Promise<void>((resolve) => {
      if (child.exited) return resolve();
      const t = setTimeout(() => child.kill(true), STOP_GRACE_MS);
      child.onExit(() => {
        clearTimeout(t);
        resolve();
      });
      child.kill();
    });
  }

  private start(): LaunchedProcess {
    const child = this.launch();
    this.stderr = '';
    child.stderr?.on('data', (c) => (this.stderr = (this.stderr + String(c)).slice(-4000)));
    child.stdout?.resume(); // warnings only; never let a full pipe stall the node
    child.onExit(() => {
      if (this.stopped || !this.served || this.child !== child || this.restarts >= MAX_RESTARTS) return;
      this.restarts++;
      this.restartTimer = setTimeout(() => {
        if (!this.stopped) this.child = this.start();
      }, RESTART_DELAY_MS);
    });
    return child;
  }
}
