// How the node process ends on SIGTERM/SIGINT: one graceful stop, exit 0 when it completes, exit 1
// (logged) when it fails or takes longer than the force timeout. A failed stop is never left as a
// rejected promise: it is reported in the log and in the exit code.
import type { Logger } from './logger.js';

export interface StopOnSignalOptions {
  stop: () => Promise<void>;
  log: Logger;
  /** process.exit unless a test passes its own. */
  exit?: (code: number) => void;
  forceAfterMs?: number;
}

/** Returns the signal handler; only the first signal starts the stop. */
export function stopOnSignal(o: StopOnSignalOptions): (signal: string) => void {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let exiting = false;
  return (signal) => {
    if (exiting) return;
    exiting = true;
    o.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      o.log.error({ afterMs: o.forceAfterMs ?? 10_000 }, 'graceful stop took too long; exiting');
      exit(1);
    }, o.forceAfterMs ?? 10_000);
    force.unref();
    let stopping: Promise<void>;
    try {
      stopping = o.stop();
    } catch (err) {
      stopping = Promise.reject(err);
    }
    stopping.then(
      () => {
        clearTimeout(force);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(force);
        o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'graceful stop failed');
        exit(1);
      },
    );
  };
}
