// How the supervisor (media-core.ts) reaches its media core: a child process over IPC
// (media-child.ts), or the same core in the node's own process (media-in-process.ts,
// `--media-in-process`). One small interface, so pings, viewer hand-over and restarts are written once.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ToChild } from './media-protocol.js';

export interface MediaTransport {
  /** The media core's process: the child's pid, or the node's own when in-process. */
  readonly pid: number | undefined;
  /** Messages can be sent (the child is connected; the in-process core has not ended). */
  readonly connected: boolean;
  /** Still running: not exited, not killed. */
  readonly running: boolean;
  /**
   * Whether a core that ended is started again. A child is; an in-process core is not: the library's
   * configuration is process-wide, so a second one in the same process would inherit the first's.
   */
  readonly restartable: boolean;
  /** A message, with a viewer's socket for adopt-ws; `done` once it is on its way (or could not be). */
  send(msg: ToChild, handle?: Socket, done?: (err: Error | null) => void): void;
  onMessage(listener: (raw: unknown) => void): void;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  onError(listener: (err: Error) => void): void;
  /** SIGTERM asks the core to stop; SIGKILL ends it now. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export function childTransport(child: ChildProcess): MediaTransport {
  return {
    get pid() {
      return child.pid;
    },
    get connected() {
      return child.connected;
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    restartable: true,
    send(msg, handle, done) {
      if (!child.connected) return done?.(new Error('the media child is not connected'));
      child.send(msg, handle, (err) => done?.(err));
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', listener),
    onError: (listener) => void child.once('error', listener),
    kill: (signal) => void child.kill(signal),
  };
}
