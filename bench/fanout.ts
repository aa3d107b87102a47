// bench:fanout — what each extra server costs. The 720p30 test pattern for 30 s to N = 1, 2, 4, 8
// local node-media-servers, the engine in its own process (the `tandem live` CLI, servers given in
// a --servers-file); CPU seconds of the engine (which publishes to every server itself), its
// encoder and any other child over the steady 30 s, and their memory at the end.
// For reference, the same stream encoded separately per server (what multi-encoder tools do).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type NmsHandle, startNms } from '../test/support/nms-fixture.js';
import { comm, cpuSeconds, descendants, rssMb } from './proc-stats.js';

const CLI = path.resolve(import.meta.dirname, '../bin/tandem.mjs');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const NS = (process.env.BENCH_NS ?? '1,2,4,8').split(',').map(Number);

async function waitLive(out: () => string, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((out().match(/"state":"live"/g) ?? []).length >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not all ${n} servers went live: ${out().slice(-500)}`);
}

interface Sample {
  cpu_s: number;
  encoder_cpu_s: number;
  relays_cpu_s: number;
  engine_cpu_s: number;
  rss_mb: number;
}

async function measureTree(rootPid: number, seconds: number): Promise<Sample> {
  const pids = () => [rootPid, ...descendants(rootPid)];
  const before = cpuSeconds(pids());
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const now = pids();
  const after = cpuSeconds(now);
  const rss = rssMb(now);
  let encoder = 0;
  let relays = 0;
  let engine = 0;
  for (const [pid, t] of after) {
    const d = t - (before.get(pid) ?? 0);
    if (pid === rootPid) engine += d;
    else if (comm(pid) === 'ffmpeg') {
      // The encoder is the first-started ffmpeg; any later one would be a per-server process (none now).
      if (pid === Math.min(...now.filter((p) => p !== rootPid && comm(p) === 'ffmpeg'))) encoder += d;
      else relays += d;
    } else engine += d;
  }
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return { cpu_s: r2(encoder + relays + engine), encoder_cpu_s: r2(encoder), relays_cpu_s: r2(relays), engine_cpu_s: r2(engine), rss_mb: rss };
}

async function runTandem(servers: NmsHandle[], n: number): Promise<Sample> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-')), 'servers.txt');
  fs.writeFileSync(file, servers.slice(0, n).map((s) => s.url('live', `fan${n}`)).join('\n') + '\n', { mode: 0o600 });
  const args = [CLI, 'live', '--json', '--duration', String(SECONDS + 30), '--servers-file', file];
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  try {
    await waitLive(() => out, n, 20_000);
    await new Promise((r) => setTimeout(r, 2000)); // settle
    return await measureTree(p.pid!, SECONDS);
  } finally {
    p.kill('SIGINT');
    await new Promise((r) => p.once('close', r));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** Reference: one full ffmpeg encode per server, as tools without a shared encoder do. */
async function runPerServerEncoders(servers: NmsHandle[], n: number): Promise<Sample> {
  const procs = servers.slice(0, n).map((s, i) =>
    spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '5000k', '-c:a', 'aac', '-b:a', '128k',
      '-f', 'flv', s.url('live', `sep${n}-${i}`)], { stdio: 'ignore' }),
  );
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const pids = procs.map((p) => p.pid!);
    const before = cpuSeconds(pids);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const after = cpuSeconds(pids);
    let cpu = 0;
    for (const [pid, t] of after) cpu += t - (before.get(pid) ?? 0);
    return { cpu_s: Math.round(cpu * 100) / 100, encoder_cpu_s: Math.round(cpu * 100) / 100, relays_cpu_s: 0, engine_cpu_s: 0, rss_mb: rssMb(pids) };
  } finally {
    for (const p of procs) p.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const max = Math.max(...NS);
  const servers = await Promise.all(Array.from({ length: max }, () => startNms()));
  const results = new Map<number, Sample>();
  try {
    for (const n of NS) {
      const s = await runTandem(servers, n);
      results.set(n, s);
      console.log(JSON.stringify({ bench: 'fanout', n, seconds: SECONDS, ...s }));
    }
    let separate4: Sample | null = null;
    if (process.env.BENCH_REFERENCE !== '0' && max >= 4) {
      separate4 = await runPerServerEncoders(servers, 4);
      console.log(JSON.stringify({ bench: 'fanout', mode: 'encoder-per-server', n: 4, seconds: SECONDS, ...separate4 }));
    }
    const one = results.get(1);
    const top = results.get(max);
    if (one && top) {
      // What an extra server costs is everything but the encoder (the same encode for any N): the
      // engine, which publishes to every server, and any per-server process. The total's difference
      // is printed too; the encoder's own run-to-run spread (±1 CPU s in 30 s here) swamps it.
      const pct = (a: number, b: number) => Math.round(((a - b) / (max - 1) / SECONDS) * 100 * 100) / 100;
      const relayPct = pct(top.cpu_s - top.encoder_cpu_s, one.cpu_s - one.encoder_cpu_s);
      const four = results.get(4);
      console.log(JSON.stringify({
        bench: 'fanout',
        [`cpu_ratio_${max}_vs_1`]: Math.round((top.cpu_s / one.cpu_s) * 100) / 100,
        relay_cpu_pct_per_server: relayPct,
        total_cpu_pct_per_server: pct(top.cpu_s, one.cpu_s),
        rss_mb_1: one.rss_mb,
        [`rss_mb_${max}`]: top.rss_mb,
        rss_mb_per_extra_server: Math.round(((top.rss_mb - one.rss_mb) / (max - 1)) * 10) / 10,
        ...(separate4 && four ? { separate_encoders_vs_tandem_at_4: Math.round((separate4.cpu_s / four.cpu_s) * 100) / 100 } : {}),
      }));
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
