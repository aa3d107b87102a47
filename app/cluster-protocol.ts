// What `tandem-node cluster` and its node processes say to each other over the IPC channel the
// cluster opens to each: a node says when it serves; a spare (a node process started ahead, loaded
// and waiting) says when it is ready, and is told the settings of the node it is to become. Settings
// travel as environment over IPC, never as arguments: they hold the node's secret.

const SERVING = 'tandem-node-serving';
const SPARE_READY = 'tandem-node-spare-ready';
const RUN = 'tandem-node-run';

export type ClusterMessage = { type: typeof SERVING } | { type: typeof SPARE_READY } | { type: typeof RUN; env: Record<string, string> };

function typeOf(m: unknown): unknown {
  return typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined;
}

export const isServing = (m: unknown): boolean => typeOf(m) === SERVING;
export const isSpareReady = (m: unknown): boolean => typeOf(m) === SPARE_READY;

export function runMessage(env: Record<string, string>): ClusterMessage {
  return { type: RUN, env };
}

function tell(m: ClusterMessage): void {
  if (process.send && process.connected) process.send(m, () => {});
}

/** Called by a node once it serves: tells a supervising cluster, if there is one. */
export function announceServing(): void {
  tell({ type: SERVING });
}

/**
 * A spare's wait: says it is ready, then resolves with the settings of the node it is to run. It
 * ends the process if the cluster goes away first (its IPC channel or its stdin, our lifeline, closes).
 */
export function awaitRunOrder(): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    const gone = () => process.exit(0);
    const onMessage = (m: unknown) => {
      if (typeOf(m) !== RUN) return;
      const env = (m as { env?: unknown }).env;
      if (typeof env !== 'object' || env === null) return;
      process.off('message', onMessage);
      process.off('disconnect', gone);
      process.stdin.off('end', gone);
      process.stdin.off('close', gone);
      resolve(Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string')));
    };
    if (!process.connected) return gone(); // the cluster went away while we loaded
    process.on('message', onMessage);
    process.once('disconnect', gone);
    process.stdin.on('data', () => {}); // nothing is sent; only the end matters
    process.stdin.once('end', gone);
    process.stdin.once('close', gone);
    tell({ type: SPARE_READY });
  });
}
