// `npm run bench:node`: the viewer ceiling of one Tandem node, and of nginx-rtmp on the same machine
// in the same run as the reference. Two climbs per server: audio-only viewers (64 kbps AAC) at
// 2000 → 4000 → 6000 → 8000 and 720p video viewers (2.5 Mb/s) at 200 → 400 → 800. Tandem's viewers
// play WS-FLV (the viewer page's path), nginx-rtmp's play RTMP. A climb stops at the first step where
// any viewer stalls (received nothing for 1 s); its ceiling is the last step with none.
// Each step starts the server afresh (its memory at rest is measured before the viewers come), runs
// the viewers in several load-generator processes (each measures its own event-loop lag: a step
// whose generators lagged is marked loadgen_limited, the generator and not the server may be what
// stalled), then holds them for --step-s seconds while the server's CPU and peak RSS are sampled.
// stdout: one JSON line per step, then one summary line (docs/server-node.md, "Benchmark").
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signPublishUrl } from '../common/publish-auth.js';
import { freePorts, waitForPort } from '../test/support/ports.js';
import { ProcSampler, childrenOf, rssMb } from './node-proc-stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = import.meta.resolve('tsx');
const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
/** A generator whose event loop ran this late may have marked live viewers stalled itself. */
const LOADGEN_LAG_LIMIT_MS = 500;
/** The pre-encoded 720p clip the video publisher loops (encoding live would take a core from the server). */
const VIDEO_CLIP = path.join(tmpdir(), 'tandem-bench-720p-2500k-v1.flv');

type ServerName = 'node' | 'nginx-rtmp';
type Kind = 'audio' | 'video';

interface Target {
  name: ServerName;
  protocol: 'ws-flv' | 'rtmp';
  /** Where viewers connect. */
  port: number;
  publishUrl: string;
  pids(): number[];
  /** Extra facts for the detail line on stderr. */
  detail(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Spawns with the open-files limit raised to the hard limit: thousands of sockets per process. */
function spawnUnlimited(cmd: string, args: string[], opts: Parameters<typeof spawn>[2]): ChildProcess {
  return spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$@"', 'sh', cmd, ...args], opts);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startNode(): Promise<Target> {
  const [http, rtmp] = (await freePorts(2)) as [number, number];
  const secret = randomBytes(32).toString('hex');
  const proc = spawnUnlimited(process.execPath, [path.join(ROOT, 'bin/tandem-node.mjs')], {
    env: { ...process.env, TANDEM_SECRET: secret, TANDEM_HOST: '127.0.0.1', TANDEM_HTTP_PORT: String(http), TANDEM_RTMP_PORT: String(rtmp), TANDEM_LOG_LEVEL: 'warn',
      // Profiling the node (and its media child), e.g. BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof".
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while ((await fetch(`http://127.0.0.1:${http}/readyz`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('the node did not become ready');
    await sleep(200);
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
worker_rlimit_nofile 20000;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 20000; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live { live on; }
  }
}
`,
  );
  const proc = spawnUnlimited('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
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

function runFfmpeg(args: string[], limitMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    const t = setTimeout(() => p.kill('SIGKILL'), limitMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with ${code} (${args.at(-1)})`));
    });
  });
}

/** 12 s of 720p30 H.264 at 2.5 Mb/s (noise keeps the encoder at its rate) + AAC, encoded once per machine. */
async function ensureVideoClip(): Promise<void> {
  if (existsSync(VIDEO_CLIP)) return;
  const partial = `${VIDEO_CLIP}.${process.pid}.partial.flv`;
  await runFfmpeg(
    [
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30,noise=alls=12:allf=t', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', '12', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '2500k', '-g', '60', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', partial,
    ],
    300_000,
  );
  renameSync(partial, VIDEO_CLIP);
}

function startPublisher(kind: Kind, url: string): ChildProcess {
  const input =
    kind === 'audio'
      ? ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-c:a', 'aac', '-b:a', '64k']
      : ['-re', '-stream_loop', '-1', '-i', VIDEO_CLIP, '-c', 'copy'];
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...input, '-f', 'flv', url], { stdio: ['ignore', 'ignore', 'inherit'] });
}

interface GenResult { viewers: number; stalled: number; neverReceived: number; closed: number; kbpsPerViewer: number; lagMaxMs: number; lagP99Ms: number }
interface Generator { proc: ChildProcess; ramped: Promise<{ rampMs: number; rampLagMaxMs: number }>; result: Promise<GenResult> }

function startGenerator(t: Target, viewers: number, seconds: number, rampPerSecond: number): Generator {
  const proc = spawnUnlimited(
    process.execPath,
    ['--import', TSX, path.join(ROOT, 'bench/node-load.ts'), t.protocol, '127.0.0.1', String(t.port), 'main', String(viewers), String(seconds), String(rampPerSecond)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let onRamped: (v: { rampMs: number; rampLagMaxMs: number }) => void = () => {};
  let onResult: (v: GenResult) => void = () => {};
  const ramped = new Promise<{ rampMs: number; rampLagMaxMs: number }>((resolve, reject) => {
    onRamped = resolve;
    proc.once('exit', () => reject(new Error('a load generator ended before its viewers were up')));
  });
  const result = new Promise<GenResult>((resolve, reject) => {
    onResult = resolve;
    proc.once('exit', () => reject(new Error('a load generator ended without a result')));
  });
  ramped.catch(() => {});
  result.catch(() => {});
  let buf = '';
  proc.stdout!.on('data', (d) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const msg = JSON.parse(buf.slice(0, nl)) as { phase: string };
      buf = buf.slice(nl + 1);
      if (msg.phase === 'ramped') onRamped(msg as unknown as { rampMs: number; rampLagMaxMs: number });
      if (msg.phase === 'result') onResult(msg as unknown as GenResult);
    }
  });
  // Ramp limit + window + slack: a generator never outlives its step.
  const timer = setTimeout(() => proc.kill('SIGKILL'), (seconds + 300) * 1000);
  proc.once('exit', () => clearTimeout(timer));
  return { proc, ramped, result };
}

interface Step { viewers: number; stalled: number; cpuPct: number; rssMb: number; rssIdleMb: number; loadgenLimited: boolean }

async function runStep(name: ServerName, kind: Kind, viewers: number, o: Options): Promise<Step> {
  const target = name === 'node' ? await startNode() : await startNginx();
  const publisher = startPublisher(kind, target.publishUrl);
  const gens: Generator[] = [];
  try {
    await sleep(3000); // the publisher connects and sends its headers; the server settles
    const rssIdleMb = Math.round(target.pids().reduce((a, p) => a + rssMb(p), 0));
    const perGen = kind === 'audio' ? o.audioPerGenerator : o.videoPerGenerator;
    const count = Math.max(1, Math.ceil(viewers / perGen));
    for (let i = 0; i < count; i++) {
      const share = Math.floor(viewers / count) + (i < viewers % count ? 1 : 0);
      gens.push(startGenerator(target, share, o.stepS, o.rampPerSecond / count));
    }
    const ramps = await Promise.all(gens.map((g) => g.ramped));
    const sampler = new ProcSampler(() => target.pids());
    sampler.start();
    for (const g of gens) g.proc.stdin!.write('go\n');
    const results = await Promise.all(gens.map((g) => g.result));
    const { cpuPct, rssMb: peak } = sampler.stop();
    const sum = (f: (r: GenResult) => number) => results.reduce((a, r) => a + f(r), 0);
    const lagMaxMs = Math.max(...results.map((r) => r.lagMaxMs));
    const stalled = sum((r) => r.stalled);
    const loadgenLimited = lagMaxMs > LOADGEN_LAG_LIMIT_MS;
    const step: Step = { viewers, stalled, cpuPct, rssMb: peak, rssIdleMb, loadgenLimited };
    const line = {
      bench: name, kind, viewers, stalled, cpu_pct: cpuPct, rss_mb: peak, rss_idle_mb: rssIdleMb,
      kb_per_viewer: Math.round(((peak - rssIdleMb) * 1024) / viewers), generators: count,
      loadgen_lag_max_ms: lagMaxMs, loadgen_lag_p99_ms: Math.max(...results.map((r) => r.lagP99Ms)), loadgen_limited: loadgenLimited,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    const detail = {
      neverReceived: sum((r) => r.neverReceived), closed: sum((r) => r.closed), kbpsPerViewer: Math.round(sum((r) => r.kbpsPerViewer * r.viewers) / viewers),
      rampMs: Math.max(...ramps.map((r) => r.rampMs)), rampLagMaxMs: Math.max(...ramps.map((r) => r.rampLagMaxMs)), ...(await target.detail().catch(() => ({}))),
    };
    process.stderr.write(`  detail ${name} ${kind} ${viewers}: ${JSON.stringify(detail)}\n`);
    return step;
  } finally {
    await Promise.all(gens.map((g) => stopProc(g.proc, 'SIGKILL')));
    await stopProc(publisher, 'SIGKILL');
    await target.stop();
  }
}

/** Climbs until a step stalls; returns the highest step with none (null when the first stalled). */
async function climb(name: ServerName, kind: Kind, counts: number[], o: Options): Promise<{ ceiling: Step | null; limited: boolean }> {
  let ceiling: Step | null = null;
  for (const n of counts) {
    const step = await runStep(name, kind, n, o);
    if (step.stalled > 0) return { ceiling, limited: step.loadgenLimited };
    ceiling = step;
  }
  return { ceiling, limited: false };
}

interface Options { stepS: number; rampPerSecond: number; audioPerGenerator: number; videoPerGenerator: number }

const { values } = parseArgs({
  options: {
    audio: { type: 'string', default: '2000,4000,6000,8000' },
    video: { type: 'string', default: '200,400,800' },
    'step-s': { type: 'string', default: '30' },
    'ramp-per-s': { type: 'string', default: '100' },
    only: { type: 'string' },
  },
});
const list = (s: string) => s.split(',').filter(Boolean).map(Number);
const opts: Options = { stepS: Number(values['step-s']), rampPerSecond: Number(values['ramp-per-s']), audioPerGenerator: 2000, videoPerGenerator: 200 };
const servers = (values.only ? [values.only] : ['node', 'nginx-rtmp']) as ServerName[];
const audio = list(values.audio);
const video = list(values.video);
if (video.length > 0) await ensureVideoClip();

const summary: Record<string, unknown> = { bench: 'node', summary: true };
const round1 = (x: number) => Math.round(x * 10) / 10;
for (const name of servers) {
  const key = name === 'node' ? 'tandem' : 'nginx';
  const a = audio.length > 0 ? await climb(name, 'audio', audio, opts) : { ceiling: null, limited: false };
  const v = video.length > 0 ? await climb(name, 'video', video, opts) : { ceiling: null, limited: false };
  const c = a.ceiling;
  Object.assign(summary, {
    [`${key}_ceiling`]: c?.viewers ?? 0,
    [`${key}_kb_per_viewer`]: c ? Math.round(((c.rssMb - c.rssIdleMb) * 1024) / c.viewers) : null,
    [`${key}_cpu_pct_per_1000`]: c ? round1((c.cpuPct / c.viewers) * 1000) : null,
    [`${key}_video_ceiling`]: v.ceiling?.viewers ?? 0,
    [`${key}_loadgen_limited`]: a.limited || v.limited,
  });
}
Object.assign(summary, { audio_top: audio.at(-1) ?? 0, video_top: video.at(-1) ?? 0, step_s: opts.stepS });
process.stdout.write(`${JSON.stringify(summary)}\n`);
