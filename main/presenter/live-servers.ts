// The live session's servers and nodes, outside its state machine: the running webcast's servers
// brought in line with the saved ones (a new server joins: the engine checks it, then starts its
// relay; a removed one stops alone; an edited URL, key or name re-joins that server only; an edited
// control URL or token re-opens that node's control session), the Test servers check, and the log
// of how nodes took a webcast phase. The session's server list is changed in place, so the services
// that hold it (the tiles' /metrics poller) see the same list.
import type { UploadCheck } from '../../common/ipc-contract.js';
import { SETUP_FAILED, SETUP_SUCCESS, type ServerConfig, type ServerSetupResult, type SetupStatus } from '../../common/streaming.js';
import type { Logger } from '../engine/base/logger.js';
import { AUDIO_BPS } from '../engine/encoder/encoder-stage.js';
import { sourceSpecSchema } from '../engine/encoder/source.js';
import { preflightUpload, type PreflightResult, type PreflightServer } from '../engine/uplink/preflight.js';
import { uploadCheckView } from '../engine/uplink/preflight-verdict.js';
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
    } else if (old.url !== w.url || old.streamKey !== w.streamKey || old.label !== w.label || old.controlUrl !== w.controlUrl || old.controlToken !== w.controlToken) {
      running[running.indexOf(old)] = w;
      conn.updateServer(w.id, config);
    }
  }
  await Promise.all(jobs);
}

/** "Test servers": the setup check of the saved servers, as a setup status (reachable, not yet the key). */
export async function checkSaved(
  servers: readonly EngineServer[],
  check: (servers: ServerConfig[], timeoutMs: number) => Promise<ServerSetupResult[]>,
  timeoutMs: number,
): Promise<SetupStatus> {
  const results = await check(
    servers.map(({ metricsBase: _m, ...s }) => s),
    timeoutMs,
  );
  return { code: results.every((r) => r.result === 'ready') ? SETUP_SUCCESS : SETUP_FAILED, servers: results };
}

/** The rates the verdict judges: the encoder's full ones for the camera (the test pattern's are the same). */
const camera = sourceSpecSchema.parse({ kind: 'chunks' });
const FULL_RATES = { videoBps: (camera.kind === 'chunks' ? camera.videoKbps : 0) * 1000, audioBps: AUDIO_BPS };

/**
 * "Test servers"' upload check, after the setup check (whose handshakes it would slow): every
 * Tandem node sent bytes at the same time (the preflight), and the verdict for every saved server,
 * plain RTMP ones included, at the encoder's full rates.
 */
export async function checkUpload(
  servers: readonly EngineServer[],
  preflight: (servers: PreflightServer[]) => Promise<PreflightResult> = (s) => preflightUpload(s),
): Promise<UploadCheck> {
  // A node saved without its token is still a Tandem node (its http address is metricsBase): probed without one.
  const result = await preflight(servers.map((s) => ({ id: s.id, controlUrl: s.controlUrl ?? s.metricsBase, controlToken: s.controlToken })));
  return uploadCheckView(result, FULL_RATES);
}

/** Logs how each node took a webcast phase; never throws (the webcast goes on either way). */
export async function announce(log: Logger, done: Promise<Array<{ server: string; ok: boolean }>>, what: string): Promise<void> {
  try {
    const results = await done;
    log.info({ nodes: results.map((r) => ({ server: r.server, ok: r.ok })) }, what);
  } catch (err) {
    log.warn({ err: String(err) }, `${what}: failed`);
  }
}
