// A real node-media-server for integration tests: one child process per server
// (its config is process-wide), on loopback ports, with its store in a temp dir.
// Optionally requires signed publish URLs, signed with signNmsPublish.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rtmpAnswers, startFixtureProcess, type FixtureProcess, rtmpServerHandle } from './fixture-process.js';
import { freePort, tryConnect } from './ports.js';

const SCRIPT = fileURLToPath(new URL('./nms-server.cjs', import.meta.url));

export interface NmsOptions {
  rtmpPort?: number;
  httpPort?: number;
  /**
   * Also listen for RTMPS, with the package's bundled self-signed, expired
   * certificate for CN=localhost (so clients that verify will refuse it).
   */
  rtmps?: boolean;
  /** Turns on auth.publish: every publish needs `?sign=` from signNmsPublish. */
  publishSecret?: string;
  /** node-media-server's log level for output(): 'trace' | 'debug' | 'info' | 'warn' | 'error'. Default 'warn'. */
  logLevel?: string;
}

export interface NmsHandle extends FixtureProcess {
  rtmpPort: number;
  /** HTTP-FLV / WS-FLV port. */
  httpPort: number;
  /** Set when started with `rtmps: true`. */
  rtmpsPort: number | undefined;
  dataDir: string;
  /** rtmp://127.0.0.1:<rtmpPort>/<app>[/<name>] */
  url(app: string, name?: string): string;
}

export async function startNms(opts: NmsOptions = {}): Promise<NmsHandle> {
  const rtmpPort = opts.rtmpPort ?? (await freePort());
  const httpPort = opts.httpPort ?? (await freePort());
  const rtmpsPort = opts.rtmps ? await freePort() : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-nms-'));
  const config = JSON.stringify({
    rtmpPort,
    httpPort,
    rtmpsPort,
    dataDir,
    publishSecret: opts.publishSecret,
    logLevel: opts.logLevel ?? 'warn',
  });
  const proc = await startFixtureProcess({
    name: 'node-media-server',
    command: process.execPath,
    args: [SCRIPT, config],
    port: rtmpPort,
    stdinPipe: true,
    prepare: () => fs.mkdirSync(dataDir, { recursive: true }),
    // RTMP answering and HTTP-FLV accepting, so a test may use either at once.
    ready: async () => (await rtmpAnswers(rtmpPort)) && (await tryConnect(httpPort)) === 'open',
  }).catch((err: unknown) => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return rtmpServerHandle(proc, rtmpPort, dataDir, { httpPort, rtmpsPort, dataDir });
}

/**
 * The `sign` query value node-media-server 4.x expects when auth.publish is on
 * (BroadcastServer.verifyAuth): `<exp>-<md5("<streamPath>-<exp>-<secret>")>`,
 * where streamPath is "/app/name" and expiresSec is an absolute Unix time in
 * seconds. Use it as `${url}?sign=${signNmsPublish('/live/cam', secret, exp)}`.
 */
export function signNmsPublish(streamPath: string, secret: string, expiresSec: number): string {
  const exp = Math.floor(expiresSec);
  const hash = createHash('md5').update(`${streamPath}-${exp}-${secret}`).digest('hex');
  return `${exp}-${hash}`;
}
