// The media core in the node's own process (`--media-in-process`): the same media-service.ts that
// the media child runs, with its port wired straight to the supervisor. Messages and a viewer's
// socket are handed across on the next turn of the event loop, as IPC would deliver them, so the
// supervisor's code is the same either way. For a process that may start no children of its own: a
// packaged Electron app's demo nodes (utility processes, whose binary cannot run as Node).
import type { Socket } from 'node:net';
import { MediaEndpoint } from './media-service.js';
import type { MediaTransport } from './media-transport.js';

let opened = false;

/** The one in-process media core of this process; a second would share the library's global state. */
export function inProcessTransport(): MediaTransport {
  if (opened) throw new Error('this process already runs an in-process media core (one node per process)');
  opened = true;
  const messageListeners: ((raw: unknown) => void)[] = [];
  const exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
  let ended = false;
  const finish = (code: number | null, signal: NodeJS.Signals | null) => {
    if (ended) return;
    ended = true;
    for (const l of exitListeners.splice(0)) l(code, signal);
  };
  const endpoint = new MediaEndpoint({
    send: (msg, then) =>
      setImmediate(() => {
        if (!ended) for (const l of messageListeners) l(msg);
        then?.();
      }),
    exit: (code) => setImmediate(() => finish(code, null)),
  });
  return {
    pid: process.pid,
    get connected() {
      return !ended;
    },
    get running() {
      return !ended;
    },
    restartable: false,
    send(msg, handle?: Socket, done?: (err: Error | null) => void) {
      setImmediate(() => {
        if (ended) {
          handle?.destroy();
          return done?.(new Error('the in-process media core has stopped'));
        }
        endpoint.receive(msg, handle);
        done?.(null);
      });
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onExit: (listener) => void exitListeners.push(listener),
    onError: () => {}, // nothing is spawned, so nothing fails to spawn
    kill(signal) {
      // SIGKILL: the node gives up waiting for a clean stop (the process is ending anyway).
      if (signal === 'SIGKILL') return finish(null, 'SIGKILL');
      void endpoint.end(0);
    },
  };
}
