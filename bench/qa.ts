// `npm run bench:qa`: one Tandem node, 2,000 viewer control connections, 100 questions per second
// for 30 s (each viewer asks at most once per 20 s, inside the one-per-10 s limit), and one
// presenter session. Measures how long each question takes from the viewer's send to the
// presenter's receipt, and how many never arrive. One JSON line on stdout:
// {"bench":"qa","viewers":2000,"questions_per_s":…,"p99_ms_to_presenter":…,"lost":…}
// The load runs in this process on the same machine (2 cores), so the numbers include its cost.
// --engine: the presenter is the engine's ControlPlane instead of a bare session, so every question
// is also merged and the public Q&A view is published back to all 2,000 viewers (at most every
// 250 ms); the line then says "engine":true and how many bytes the viewers received. Viewers say
// hello as the viewer page does (changes as deltas, large ones deflated); a sample of them keeps
// its copy of the `qa` object with the page's own rule (app/viewer/src/so-mirror.ts), and the line
// says how many of them ended with exactly the engine's public view ("viewers_exact"). The engine
// is the presenter app's own (browser mode, `tandem studio`, in this process, live on the node with
// a small test pattern), and the bench reads the studio's WebSocket as a window does: p99_ms_to_ui
// is from a viewer's send to the question in a `qa` event, what the presenter's panel renders.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, nodeToClientSchema, parseFrame } from '../common/control-protocol.js';
import { QA_OBJECT } from '../common/qa.js';
import { SoMirror } from '../app/viewer/src/so-mirror.js';
import { silentLogger } from '../main/engine/base/logger.js';
import { tabProtocols } from '../common/studio-tab.js';
import { startStudioApp, type StudioApp } from '../main/browser/studio-app.js';
import type { LiveControl } from '../main/presenter/live-connection.js';
import { startNode } from '../test/support/node-process.js';
import { cpuSeconds, descendants } from './proc-stats.js';

const { values } = parseArgs({
  options: { viewers: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, engine: { type: 'boolean' } },
  strict: true,
});
const VIEWERS = Number(values.viewers ?? 2000);
const RATE = Number(values.rate ?? 100);
const SECONDS = Number(values.seconds ?? 30);
const DRAIN_MS = 5000;
const ENGINE = values.engine === true;
/** The studio's test pattern: small, so the encoder leaves the 2 cores to the Q&A under test. */
const LIGHT_SOURCE = { kind: 'test', width: 320, height: 180, fps: 15, videoKbps: 300, preset: 'ultrafast' } as const;

interface StudioWindow {
  invoke(channel: string, args: object): Promise<{ ok: boolean; value?: unknown; message?: string }>;
  onEvent(fn: (channel: string, payload: unknown) => void): void;
  close(): void;
}

/** Opens the studio as a browser tab does: the one-time link for the cookie and tab secret, then its socket. */
async function studioWindow(app: StudioApp): Promise<StudioWindow> {
  const res = await fetch(app.server.url, { redirect: 'manual' });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const secret = new URL(res.headers.get('location') ?? '', app.server.origin).hash.replace(/^#tab=/, '');
  const ws = new WebSocket(`ws://127.0.0.1:${app.server.listenPort}/ipc`, tabProtocols(secret), { headers: { cookie }, origin: app.server.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (r: { ok: boolean }) => void>();
  const listeners: ((channel: string, payload: unknown) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { t: string; id?: number; result?: { ok: boolean }; channel?: string; payload?: unknown };
    if (m.t === 'result') waiting.get(m.id!)?.(m.result!);
    else if (m.t === 'event') for (const fn of listeners) fn(m.channel!, m.payload);
  });
  return {
    invoke: (channel, args) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ t: 'invoke', id, channel, args }));
      }),
    onEvent: (fn) => listeners.push(fn),
    close: () => ws.close(),
  };
}

/** Viewers that keep their copy of the public objects like the page, checked against the engine at the end. */
const MIRRORED = 20;
const VIEWER_HELLO = { type: 'hello', v: PROTOCOL_VERSION, role: 'viewer', delta: true, deflate: true };

/** A sampled viewer's copy of the objects, fed like the page's (binary frames are deflated JSON). */
function mirror(ws: WebSocket): SoMirror {
  const m = new SoMirror();
  ws.on('message', (d: Buffer, isBinary: boolean) => {
    const parsed = nodeToClientSchema.safeParse(parseFrame(isBinary ? inflateRawSync(d).toString('utf8') : d.toString('utf8')));
    if (!parsed.success || (parsed.data.type !== 'so.sync' && parsed.data.type !== 'so.delta')) return;
    const r = m.apply(parsed.data);
    if (r.kind === 'resync') ws.send(JSON.stringify({ type: 'so.resync', name: r.name }));
  });
  return m;
}

function open(url: string, hello: object): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('connect timeout')), 15_000);
    ws.once('open', () => ws.send(JSON.stringify(hello)));
    ws.once('error', reject);
    ws.on('message', function first(d) {
      if (String(d).includes('"welcome"')) {
        clearTimeout(timer);
        ws.off('message', first);
        resolve(ws);
      }
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-bench-qa-'));
  const token = randomBytes(24).toString('hex');
  // Every bench viewer comes from 127.0.0.1: lift the per-address limits, which would cap them at 20 (app/config.ts).
  const node = await startNode({
    env: {
      TANDEM_CONTROL_TOKEN: token,
      TANDEM_CONTROL_DIR: dir,
      TANDEM_MAX_CONNECTIONS_PER_ADDRESS: '100000',
      TANDEM_QUESTIONS_PER_ADDRESS_PER_MIN: '10000',
    },
  });
  const url = `ws://127.0.0.1:${node.httpPort}/control`;
  const viewers: WebSocket[] = [];
  let refused = 0;
  let viewerBytes = 0;
  let viewerSyncs = 0;
  const mirrors: SoMirror[] = [];
  let viewerClosed = 0;
  let plane: Pick<LiveControl, 'onQuestions' | 'getSo'> | null = null;
  let studio: StudioApp | null = null;
  let studioDir: string | null = null;
  let window: StudioWindow | null = null;
  const sentAtUi = new Map<string, number>();
  const uiLatencies: number[] = [];
  try {
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const arrived = (id: string, now: number) => {
      const t = sentAt.get(id);
      if (t === undefined) return;
      sentAt.delete(id);
      latencies.push(now - t);
    };
    let presenter: WebSocket | null = null;
    if (ENGINE) {
      studioDir = mkdtempSync(path.join(tmpdir(), 'tandem-bench-qa-studio-'));
      studio = await startStudioApp({ dataDir: studioDir, rendererDir: studioDir, logger: silentLogger, port: 0, testPattern: LIGHT_SOURCE });
      const win = await studioWindow(studio);
      window = win;
      let available = false;
      win.onEvent((channel, payload) => {
        if (channel !== 'qa') return;
        const qa = payload as { available: boolean; questions: { id: string }[] };
        available ||= qa.available;
        const now = performance.now();
        for (const q of qa.questions) {
          const t = sentAtUi.get(q.id);
          if (t === undefined) continue;
          sentAtUi.delete(q.id);
          uiLatencies.push(now - t);
        }
      });
      const saved = await win.invoke('servers.save', { id: 'bench', url: node.publishUrl('main'), controlUrl: node.base, token });
      if (!saved.ok) throw new Error(`studio refused the node: ${saved.message}`);
      const live = await win.invoke('live.start', { source: { kind: 'test-pattern' }, requireAll: true });
      if (!live.ok) throw new Error(`studio could not go live: ${live.message}`);
      const until = Date.now() + 15_000;
      while (!available && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      plane = studio.presenter.session.current?.conn.control ?? null;
      if (!available || !plane) throw new Error('the studio has no control session with the node');
      let seen = 0;
      plane.onQuestions((list) => {
        const now = performance.now();
        // The list is in asking order; only its tail can be new.
        if (list.length === seen) return;
        for (const q of list) arrived(q.id, now);
        seen = list.length;
      });
    } else {
      presenter = await open(url, { type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', token });
      presenter.on('message', (d) => {
        const m = JSON.parse(String(d)) as { type: string; question?: { id: string } };
        if (m.type === 'qa.asked' && m.question) arrived(m.question.id, performance.now());
      });
    }
    const t0 = performance.now();
    for (let i = 0; i < VIEWERS; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, VIEWERS - i) }, () => open(url, VIEWER_HELLO)),
      );
      for (const ws of batch) {
        ws.on('message', (d: Buffer, isBinary: boolean) => {
          viewerBytes += d.length;
          if (isBinary || d.includes('"type":"so.')) viewerSyncs++;
          if (!isBinary && d.includes('"type":"error"')) refused++;
        });
        if (mirrors.length < MIRRORED && viewers.length % Math.floor(VIEWERS / MIRRORED) === 0) mirrors.push(mirror(ws));
        ws.once('close', () => viewerClosed++);
        viewers.push(ws);
      }
    }
    process.stderr.write(`bench:qa ${VIEWERS} viewers connected in ${Math.round(performance.now() - t0)} ms\n`);

    const total = RATE * SECONDS;
    // CPU while questions flow: the node's process tree, and this process (load, studio, engine).
    const nodePids = () => [node.proc.pid!, ...descendants(node.proc.pid!)];
    const nodeCpu0 = [...cpuSeconds(nodePids()).values()].reduce((a, b) => a + b, 0);
    const benchCpu0 = process.cpuUsage();
    const start = performance.now();
    let sent = 0;
    // Paced by the clock, not by setInterval counts, so a slow tick catches up instead of drifting.
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
      for (; sent < due; sent++) {
        const id = `q-bench-${sent.toString().padStart(6, '0')}`;
        const at = performance.now();
        sentAt.set(id, at);
        if (ENGINE) sentAtUi.set(id, at);
        viewers[sent % viewers.length]!.send(JSON.stringify({ type: 'qa.ask', id, text: `Bench question ${sent}: how does failover work?` }));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const elapsedS = (performance.now() - start) / 1000;
    const nodeCpuPct = Math.round((([...cpuSeconds(nodePids()).values()].reduce((a, b) => a + b, 0) - nodeCpu0) / elapsedS) * 100);
    const benchCpu = process.cpuUsage(benchCpu0);
    const benchCpuPct = Math.round(((benchCpu.user + benchCpu.system) / 1e6 / elapsedS) * 100);
    const drainUntil = Date.now() + DRAIN_MS;
    while (sentAt.size + sentAtUi.size > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
    latencies.sort((a, b) => a - b);
    uiLatencies.sort((a, b) => a - b);
    process.stderr.write(
      `bench:qa detail ${JSON.stringify({ sent, received: latencies.length, refused, viewerSyncs, viewerClosed, p50_ms: Math.round(percentile(latencies, 50)), max_ms: Math.round(latencies.at(-1) ?? NaN), node_cpu_pct: nodeCpuPct, bench_cpu_pct: benchCpuPct, load_avg_1m: Math.round(loadavg()[0]! * 10) / 10 })}\n`,
    );
    const line: Record<string, unknown> = { bench: 'qa', viewers: viewers.length, questions_per_s: Math.round((sent / elapsedS) * 10) / 10, p99_ms_to_presenter: Math.round(percentile(latencies, 99)), lost: sentAt.size };
    if (ENGINE) {
      // The last publish is at most 250 ms after the last change: give the sampled viewers a bounded wait for it.
      const expected = () => JSON.stringify(plane!.getSo(QA_OBJECT, 'questions') ?? null);
      const exact = () => mirrors.filter((m) => JSON.stringify(m.slots(QA_OBJECT)?.questions?.value ?? null) === expected()).length;
      const until = Date.now() + 3000;
      while (exact() < mirrors.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      Object.assign(line, { engine: true, p99_ms_to_ui: Math.round(percentile(uiLatencies, 99)), lost_to_ui: sentAtUi.size, viewer_mb_received: Math.round(viewerBytes / 1e6), viewers_exact: `${exact()}/${mirrors.length}`, viewer_gaps: mirrors.reduce((n, m) => n + m.gaps, 0) });
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
    presenter?.close();
  } finally {
    window?.close();
    await studio?.close();
    if (studioDir) rmSync(studioDir, { recursive: true, force: true });
    for (const ws of viewers) ws.terminate();
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:qa failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
