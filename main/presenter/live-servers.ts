// The running webcast's servers, brought in line with the saved ones: a new server joins (the
// engine checks it, then starts its relay), a removed one stops alone, an edited URL, key or name
// re-joins that server only. The session's server list is changed in place, so the services that
// hold it (the tiles' /metrics poller) see the same list.
import type { LiveConnection } from './live-connection.js';
import type { EngineServer } from './presenter-profile.js';

/** Applies `wanted` to the running servers; resolves when every added server was checked and removed one stopped. */
export async function applyServerChanges(
  running: EngineServer[],
  wanted: readonly EngineServer[],
  conn: Pick<LiveConnection, 'addServer' | 'removeServer' | 'updateServer'>,
  o: { timeoutMs: number; onAdded: () => void },
): Promise<void> {
  const had = new Map(running.map((x) => [x.id, x]));
  const jobs: Promise<unknown>[] = [];
  for (const old of running.filter((x) => !wanted.some((w) => w.id === x.id))) {
    running.splice(running.indexOf(old), 1);
    jobs.push(conn.removeServer(old.id));
  }
  for (const w of wanted) {
    const { metricsBase: _m, ...config } = w;
    const old = had.get(w.id);
    if (!old) {
      running.push(w);
      jobs.push(conn.addServer(config, { timeoutMs: o.timeoutMs }).finally(o.onAdded));
    } else if (old.url !== w.url || old.streamKey !== w.streamKey || old.label !== w.label) {
      running[running.indexOf(old)] = w;
      conn.updateServer(w.id, config);
    }
  }
  await Promise.all(jobs);
}
