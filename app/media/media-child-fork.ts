// Starting the media child's process: the one place that forks it. A node that is about to run forks
// it first thing (app/cli.ts), before loading its own modules, so the child loads node-media-server
// while the node loads everything else; the media core then adopts that child instead of forking
// one once it is ready. This module stays small and imports no package: it runs before them.
import { fork, type ChildProcess } from 'node:child_process';
import { builtPath } from '../../common/install-layout.js';
import { withoutSecrets } from '../secret-env.js';

/** The media child runs compiled (`npm run build`), from sources under test as from dist/ itself. */
export const MEDIA_CHILD_ENTRY = builtPath('mediaChild');

export function forkMediaChild(): ChildProcess {
  return fork(MEDIA_CHILD_ENTRY, [], {
    // Not the node's own flags (a test runner's loader, say).
    execArgv: [],
    // Its secret comes over IPC: the publish secret and presenter token stay out of its environment.
    env: withoutSecrets(process.env),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
}

let early: ChildProcess | null = null;
let earlyLoaded: Promise<void> = Promise.resolve();

/** Forks the media child ahead of the node's start; it waits, loading, until a media core adopts it. */
export function forkMediaChildEarly(): void {
  if (early) return;
  const child = forkMediaChild();
  early = child;
  // A failed fork reports through the media core once adopted; nothing to say before that.
  child.once('error', () => {});
  earlyLoaded = new Promise<void>((resolve) => {
    const done = () => {
      child.off('message', onMessage);
      resolve();
    };
    // The child's first word, { type: 'loaded' } (media-protocol.ts), once its library is loaded.
    const onMessage = (m: unknown) => (m as { type?: unknown } | null)?.type === 'loaded' && done();
    child.on('message', onMessage);
    child.once('exit', done);
    child.once('error', done);
  });
}

/** Resolves once the early child has loaded its library (or is gone); at once when there is none. */
export function earlyMediaChildLoaded(): Promise<void> {
  return earlyLoaded;
}

/** The early child, once, if it is still alive: it goes unconfigured until its adopter configures it. */
export function adoptEarlyMediaChild(): ChildProcess | null {
  const child = early;
  early = null;
  if (!child || child.exitCode !== null || child.signalCode !== null || !child.connected) return null;
  return child;
}
