// `npm run bench:node`: how many audio-only viewers one Tandem node serves without stalls, and the
// same for nginx-rtmp on the same machine as the reference. For each N the load generator runs in its
// own process on loopback: N concurrent viewers of a 64 kbps AAC stream for 30 s. One JSON line per
// run: {"bench":"node"|"nginx-rtmp","viewers":N,"stalled":…,"cpu_pct":…,"rss_mb":…}
// (stalled: viewers that received nothing for 1 s; cpu_pct: server CPU, 100 = one core).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signPublishUrl } from '../common/publish-auth.js';
import { freePorts, waitForPort } from '../test/support/ports.js';
import { ProcSampler, childrenOf } from './node-proc-stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = import.meta.resolve('tsx');
const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

interface Target {
  name: 'node' | 'nginx-rtmp';
  protocol: 'ws-flv' | 'rtmp';
  /** Where viewers connect. */
  port: number;
  publishUrl: string;
  pids(): number[];
  /** Extra facts for the detail line on stderr. */
  detail(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

function stopProc(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill(signal);
  });
}

async function startNode(): Promise<Target> {
  const [http, rtmp] = (await freePorts(2)) as [number, number];
  const secret = randomBytes(32).toString('hex');
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin/tandem-node.mjs')], {
    env: { ...process.env, TANDEM_SECRET: secret, TANDEM_HOST: '127.0.0.1', TANDEM_HTTP_PORT: String(http), TANDEM_RTMP_PORT: String(rtmp), TANDEM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while ((await fetch(`http://127.0.0.1:${http}/readyz`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('the node did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    name: 'node',
    protocol: 'ws-flv',
    port: http,
    publishUrl: signPublishUrl({ base: `rtmp://127.0.0.1:${rtmp}`, stream: 'main', secret, ttlSeconds: 3600 }),
    pids: () => [proc.pid!, ...childrenOf(proc.pid!)],
    detail: async () => {
      const text = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
      return Object.fromEntries(text.split('\n').filter((l) => l.startsWith('tandem_ws_viewer_handoffs_total')).map((l) => l.split(' ')));
    },
    stop: () => stopProc(proc),
  };
}

async function startNginx(): Promise<Target> {
  const [port] = (await freePorts(1)) as [number];
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-bench-nginx-'));
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `load_module ${NGINX_RTMP_MODULE};
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 10000; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live { live on; }
  }
}
`,
  );
  const proc = spawn('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForPort(port, 10_000);
  return {
    name: 'nginx-rtmp',
    protocol: 'rtmp',
    port,
    publishUrl: `rtmp://127.0.0.1:${port}/live/main`,
    pids: () => [proc.pid!, ...childrenOf(proc.pid!)],
    detail: async () => ({}),
    stop: async () => {
      await stopProc(proc, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function startAudioPublisher(url: string): ChildProcess {
  return spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', url],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

interface LoadResult { viewers: number; stalled: number; neverReceived: number; closed: number; kbpsPerViewer: number; loadgenMaxLagMs: number }

function runLoad(t: Target, viewers: number, seconds: number, sampler: ProcSampler): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', TSX, path.join(ROOT, 'bench/node-load.ts'), t.protocol, '127.0.0.1', String(t.port), 'main', String(viewers), String(seconds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buf = '';
    let result: LoadResult | null = null;
    proc.stdout!.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as { phase: string } & LoadResult;
        if (msg.phase === 'window-start') sampler.start();
        if (msg.phase === 'result') result = msg;
      }
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), (seconds + 120) * 1000);
    proc.once('exit', () => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error('the load generator ended without a result'));
    });
  });
}

async function benchOne(kind: Target['name'], viewers: number, seconds: number): Promise<void> {
  const target = kind === 'node' ? await startNode() : await startNginx();
  const publisher = startAudioPublisher(target.publishUrl);
  try {
    await new Promise((r) => setTimeout(r, 3000)); // the publisher connects and sends its headers
    const sampler = new ProcSampler(() => target.pids());
    const r = await runLoad(target, viewers, seconds, sampler);
    const { cpuPct, rssMb } = sampler.stop();
    process.stdout.write(`${JSON.stringify({ bench: kind, viewers, stalled: r.stalled, cpu_pct: cpuPct, rss_mb: rssMb })}\n`);
    process.stderr.write(`  detail ${kind} ${viewers}: ${JSON.stringify({ ...r, ...(await target.detail()) })}\n`);
  } finally {
    await stopProc(publisher, 'SIGKILL');
    await target.stop();
  }
}

const { values } = parseArgs({
  options: { viewers: { type: 'string' }, seconds: { type: 'string' }, only: { type: 'string' } },
});
const counts = (values.viewers ?? '500,1000,2000').split(',').map(Number);
const seconds = Number(values.seconds ?? 30);
const kinds = (values.only ? [values.only] : ['node', 'nginx-rtmp']) as Target['name'][];
for (const kind of kinds) for (const n of counts) await benchOne(kind, n, seconds);
