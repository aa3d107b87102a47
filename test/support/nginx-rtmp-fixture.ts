// A real nginx-rtmp server for integration tests: Debian's nginx with the RTMP
// module, run in the foreground with its own prefix in a temp dir (config, pid,
// logs), one worker, listening on a loopback port with a `live` application.
// It never touches the system nginx or its files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rtmpAnswers, startFixtureProcess, type FixtureProcess, rtmpServerHandle } from './fixture-process.js';
import { freePort } from './ports.js';

const NGINX = '/usr/sbin/nginx';
const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export interface NginxRtmpOptions {
  rtmpPort?: number;
  /**
   * nginx-rtmp's `on_connect` hook: an http:// URL it calls before answering
   * connect(app). Non-2xx closes the connection; a URL that never answers holds
   * connect(app) for netcall_timeout (7 s), a real "connect not answered" case.
   */
  onConnect?: string;
}

export interface NginxRtmpHandle extends FixtureProcess {
  rtmpPort: number;
  /** The temp dir used as nginx's prefix. */
  prefix: string;
  /** rtmp://127.0.0.1:<rtmpPort>/<app>[/<name>] */
  url(app: string, name?: string): string;
  /** nginx's error log (level info: connects, publishes, refusals). */
  errorLog(): string;
}

function config(prefix: string, port: number, onConnect: string | undefined): string {
  return `# Written by test/support/nginx-rtmp-fixture.ts
load_module ${RTMP_MODULE};
master_process on;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log info;

events {
  worker_connections 256;
}

rtmp {
  access_log ${prefix}/access.log;
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
${onConnect ? `    on_connect ${onConnect};\n` : ''}    application live {
      live on;
      record off;
    }
  }
}
`;
}

export async function startNginxRtmp(opts: NginxRtmpOptions = {}): Promise<NginxRtmpHandle> {
  const rtmpPort = opts.rtmpPort ?? (await freePort());
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-nginx-rtmp-'));
  const confPath = path.join(prefix, 'nginx.conf');
  const errorLogPath = path.join(prefix, 'error.log');
  const errorLog = (): string => {
    try {
      return fs.readFileSync(errorLogPath, 'utf8');
    } catch {
      return '';
    }
  };
  const proc = await startFixtureProcess({
    name: 'nginx-rtmp',
    command: NGINX,
    // -e: the startup error log, before the config's error_log applies; the
    // compiled-in default is /var/log/nginx/error.log, which is not ours.
    args: ['-p', prefix, '-c', confPath, '-e', errorLogPath, '-g', 'daemon off;'],
    port: rtmpPort,
    prepare: () => {
      fs.mkdirSync(prefix, { recursive: true });
      fs.writeFileSync(confPath, config(prefix, rtmpPort, opts.onConnect));
    },
    diagnostics: () => errorLog().slice(-4000),
    // The master listens before its worker runs: ready is a worker answering the handshake.
    ready: () => rtmpAnswers(rtmpPort),
  }).catch((err: unknown) => {
    fs.rmSync(prefix, { recursive: true, force: true });
    throw err;
  });
  return rtmpServerHandle(proc, rtmpPort, prefix, { prefix, errorLog });
}
