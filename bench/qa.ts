// `npm run bench:qa`: one Tandem node, 2,000 viewer control connections, 100 questions per second
// for 30 s (each viewer asks at most once per 20 s, inside the one-per-10 s limit), and one
// presenter session. Measures how long each question takes from the viewer's send to the
// presenter's receipt, and how many never arrive. One JSON line on stdout:
// {"bench":"qa","viewers":2000,"questions_per_s":…,"p99_ms_to_presenter":…,"lost":…}
// The load runs on the same machine (2 cores), in a worker thread of this process
// (bench/qa-viewers.ts), so the numbers include its cost but its sockets do not stall the engine.
// --engine: the presenter is the presenter app's own engine (browser mode, `tandem studio`, in this
// process, live on the node with a small test pattern), so every question is also merged and the
// public Q&A view is published back to all 2,000 viewers (at most every 250 ms); the line then says
// "engine":true, how many bytes the viewers received, and p99_ms_to_ui: from a viewer's send to
// the question in a `qa` event on the studio's WebSocket, read as a window does (what the
// presenter's panel renders). Viewers say hello as the viewer page does (changes as deltas, large
// ones deflated); a sample keeps its copy of the `qa` object with the page's own rule
// (app/viewer/src/so-mirror.ts), and "viewers_exact" says how many ended with exactly the engine's view.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../common/control-protocol.js';
import { QA_OBJECT } from '../common/qa.js';
import { tabProtocols } from '../common/studio-tab.js';
import { silentLogger } from '../main/engine/base/logger.js';
import { startStudioApp, type StudioApp } from '../main/browser/studio-app.js';
import type { LiveControl } from '../main/presenter/live-connection.js';
import { startNode } from '../test/support/node-process.js';
import { cpuSeconds, descendants } from './proc-stats.js';
import type { FromViewers, ToViewers, ViewersInput } from './qa-viewers.js';

const { values } = parseArgs({
  options: { viewers: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, engine: { type: 'boolean' } },
  strict: true,
});
const VIEWERS = Number(values.viewers ?? 2000);
const RATE = Number(values.rate ?? 100);
const SECONDS = Number(values.seconds ?? 30);
const DRAIN_MS = 5000;
const ENGINE = values.engine === true;
/** Viewers that keep their copy of the public objects like the page, checked against the engine at the end. */
const MIRRORED = 20;
/** The studio's test pattern: small, so the encoder leaves the 2 cores to the Q&A under test. */
const LIGHT_SOURCE = { kind: 'test', width: 320, height: 180, fps: 15, videoKbps: 300, preset: 'ultrafast' } as const;
const epochMs = (): number => performance.timeOrigin + performance.now();

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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The load generator's thread, with a bounded wait for each of its answers. */
class Viewers {
  private readonly worker: Worker;
  private readonly waiting = new Map<FromViewers['type'], (m: FromViewers) => void>();

  constructor(input: ViewersInput, onSent: (items: [string, number][]) => void) {
    // The thread runs TypeScript like this process does: tsx's loader, registered in the thread (a worker does not inherit it).
    const entry = new URL('./qa-viewers.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    this.worker = new Worker(boot, { eval: true, workerData: input });
    this.worker.on('error', (err) => process.stderr.write(`bench:qa viewers thread failed: ${err.stack ?? String(err)}\n`));
    this.worker.on('message', (m: FromViewers) => {
      if (m.type === 'sent') return onSent(m.items);
      const w = this.waiting.get(m.type);
      this.waiting.delete(m.type);
      w?.(m);
    });
  }

  next<T extends FromViewers['type']>(type: T, timeoutMs: number): Promise<Extract<FromViewers, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench:qa: no ${type} from the viewers within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(type, (m) => {
        clearTimeout(timer);
        resolve(m as Extract<FromViewers, { type: T }>);
      });
    });
  }

  send(m: ToViewers): void {
    this.worker.postMessage(m);
  }

  async stop(): Promise<void> {
    this.send({ type: 'stop' });
    await this.worker.terminate();
  }
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
  let plane: Pick<LiveControl, 'onQuestions' | 'getSo'> | null = null;
  let studio: StudioApp | null = null;
  let studioDir: string | null = null;
  let window: StudioWindow | null = null;
  let presenter: WebSocket | null = null;
  let viewers: Viewers | null = null;
  // Epoch ms per question id: sent (from the load thread), seen by the engine, seen in a window.
  const sentAt = new Map<string, number>();
  const engineAt = new Map<string, number>();
  const uiAt = new Map<string, number>();
  try {
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
        const now = epochMs();
        for (const q of qa.questions) if (!uiAt.has(q.id)) uiAt.set(q.id, now);
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
        const now = epochMs();
        // The list is in asking order; only its tail can be new.
        for (let i = seen; i < list.length; i++) if (!engineAt.has(list[i]!.id)) engineAt.set(list[i]!.id, now);
        seen = list.length;
      });
    } else {
      presenter = new WebSocket(url, { perMessageDeflate: false });
      const p = presenter;
      await new Promise<void>((resolve, reject) => {
        p.once('open', () => p.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', token })));
        p.once('error', reject);
        p.on('message', (d) => {
          const m = JSON.parse(String(d)) as { type: string; question?: { id: string } };
          if (m.type === 'welcome') resolve();
          if (m.type === 'qa.asked' && m.question) engineAt.set(m.question.id, epochMs());
        });
      });
    }
    viewers = new Viewers({ url, viewers: VIEWERS, rate: RATE, seconds: SECONDS, mirrored: ENGINE ? MIRRORED : 0 }, (items) => {
      for (const [id, at] of items) sentAt.set(id, at);
    });
    const connected = await viewers.next('connected', 120_000);
    process.stderr.write(`bench:qa ${VIEWERS} viewers connected in ${connected.ms} ms\n`);

    // CPU while questions flow: the node's process tree, and this process (load thread, studio, engine).
    const nodePids = () => [node.proc.pid!, ...descendants(node.proc.pid!)];
    const nodeCpu = () => [...cpuSeconds(nodePids()).values()].reduce((a, b) => a + b, 0);
    const nodeCpu0 = nodeCpu();
    const benchCpu0 = process.cpuUsage();
    viewers.send({ type: 'go' });
    const done = await viewers.next('done', (SECONDS + 60) * 1000);
    const nodeCpuPct = Math.round(((nodeCpu() - nodeCpu0) / done.elapsedS) * 100);
    const benchCpu = process.cpuUsage(benchCpu0);
    const benchCpuPct = Math.round(((benchCpu.user + benchCpu.system) / 1e6 / done.elapsedS) * 100);
    const missing = (seen: Map<string, number>) => [...sentAt.keys()].filter((id) => !seen.has(id)).length;
    const drainUntil = Date.now() + DRAIN_MS;
    while ((missing(engineAt) > 0 || (ENGINE && missing(uiAt) > 0)) && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
    const latencies = (seen: Map<string, number>) =>
      [...sentAt.entries()].flatMap(([id, at]) => (seen.has(id) ? [seen.get(id)! - at] : [])).sort((a, b) => a - b);
    const toEngine = latencies(engineAt);

    // The last publish is at most 250 ms after the last change: give the sampled viewers a bounded wait for it.
    let views: Extract<FromViewers, { type: 'views' }>;
    const expected = () => JSON.stringify(plane?.getSo(QA_OBJECT, 'questions') ?? null);
    const exactUntil = Date.now() + 3000;
    for (;;) {
      const reply = viewers.next('views', 5000);
      viewers.send({ type: 'views' });
      views = await reply;
      const exact = views.views.filter((v) => v === expected()).length;
      if (!ENGINE || exact === views.views.length || Date.now() > exactUntil) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    process.stderr.write(
      `bench:qa detail ${JSON.stringify({ sent: done.sent, received: toEngine.length, refused: views.refused, viewerSyncs: views.syncs, viewerClosed: views.closed, p50_ms: Math.round(percentile(toEngine, 50)), max_ms: Math.round(toEngine.at(-1) ?? NaN), node_cpu_pct: nodeCpuPct, bench_cpu_pct: benchCpuPct, load_avg_1m: Math.round(loadavg()[0]! * 10) / 10 })}\n`,
    );
    const line: Record<string, unknown> = { bench: 'qa', viewers: VIEWERS - views.closed, questions_per_s: Math.round((done.sent / done.elapsedS) * 10) / 10, p99_ms_to_presenter: Math.round(percentile(toEngine, 99)), lost: missing(engineAt) };
    if (ENGINE) {
      const toUi = latencies(uiAt);
      const exact = views.views.filter((v) => v === expected()).length;
      Object.assign(line, { engine: true, p99_ms_to_ui: Math.round(percentile(toUi, 99)), lost_to_ui: missing(uiAt), viewer_mb_received: Math.round(views.bytes / 1e6), viewers_exact: `${exact}/${views.views.length}`, viewer_gaps: views.gaps });
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    presenter?.close();
    window?.close();
    await studio?.close();
    if (studioDir) rmSync(studioDir, { recursive: true, force: true });
    await viewers?.stop();
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:qa failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
