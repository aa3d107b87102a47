// bench:qa's load generator, in a worker thread of its own: the viewer connections (saying hello as
// the viewer page does), the questions at the bench's rate, and a sample of viewers that keep their
// copy of the public objects with the page's rule (so-mirror.ts). In its own thread so that the
// 2,000 sockets' traffic does not stall the engine's event loop it measures (the presenter app's
// engine never hosts viewers). Times are epoch ms (timeOrigin + now), comparable across threads.
import { parentPort, workerData } from 'node:worker_threads';
import { inflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, nodeToClientSchema, parseFrame } from '../common/control-protocol.js';
import { QA_OBJECT } from '../common/qa.js';
import { SoMirror } from '../app/viewer/src/so-mirror.js';

export interface ViewersInput {
  url: string;
  viewers: number;
  rate: number;
  seconds: number;
  mirrored: number;
}

/** Parent → worker. */
export type ToViewers = { type: 'go' } | { type: 'views' } | { type: 'stop' };
/** Worker → parent. */
export type FromViewers =
  | { type: 'connected'; ms: number }
  | { type: 'sent'; items: [string, number][] }
  | { type: 'done'; sent: number; elapsedS: number }
  | { type: 'views'; views: string[]; bytes: number; syncs: number; refused: number; closed: number; gaps: number };

export const epochMs = (): number => performance.timeOrigin + performance.now();

const input = workerData as ViewersInput;
const port = parentPort!;
const post = (m: FromViewers) => port.postMessage(m);
const HELLO = { type: 'hello', v: PROTOCOL_VERSION, role: 'viewer', delta: true, deflate: true };

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('connect timeout')), 15_000);
    ws.once('open', () => ws.send(JSON.stringify(HELLO)));
    ws.once('error', reject);
    ws.on('message', function first(d, isBinary) {
      if (!isBinary && String(d).includes('"welcome"')) {
        clearTimeout(timer);
        ws.off('message', first);
        resolve(ws);
      }
    });
  });
}

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

const viewers: WebSocket[] = [];
const mirrors: SoMirror[] = [];
let bytes = 0;
let syncs = 0;
let refused = 0;
let closed = 0;

async function connect(): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < input.viewers; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, input.viewers - i) }, () => open(input.url)));
    for (const ws of batch) {
      ws.on('message', (d: Buffer, isBinary: boolean) => {
        bytes += d.length;
        if (isBinary || d.includes('"type":"so.')) syncs++;
        if (!isBinary && d.includes('"type":"error"')) refused++;
      });
      if (mirrors.length < input.mirrored && viewers.length % Math.max(1, Math.floor(input.viewers / input.mirrored)) === 0) mirrors.push(mirror(ws));
      ws.once('close', () => closed++);
      viewers.push(ws);
    }
  }
  post({ type: 'connected', ms: Math.round(performance.now() - t0) });
}

async function ask(): Promise<void> {
  const total = input.rate * input.seconds;
  const start = performance.now();
  let sent = 0;
  // Paced by the clock, not by setInterval counts, so a slow tick catches up instead of drifting.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * input.rate));
    const items: [string, number][] = [];
    for (; sent < due; sent++) {
      const id = `q-bench-${sent.toString().padStart(6, '0')}`;
      items.push([id, epochMs()]);
      viewers[sent % viewers.length]!.send(JSON.stringify({ type: 'qa.ask', id, text: `Bench question ${sent}: how does failover work?` }));
    }
    if (items.length > 0) post({ type: 'sent', items });
    await new Promise((r) => setTimeout(r, 5));
  }
  post({ type: 'done', sent, elapsedS: (performance.now() - start) / 1000 });
}

port.on('message', (m: ToViewers) => {
  if (m.type === 'go') void ask();
  else if (m.type === 'views') {
    const views = mirrors.map((v) => JSON.stringify(v.slots(QA_OBJECT)?.questions?.value ?? null));
    post({ type: 'views', views, bytes, syncs, refused, closed, gaps: mirrors.reduce((n, v) => n + v.gaps, 0) });
  } else if (m.type === 'stop') {
    for (const ws of viewers) ws.terminate();
    port.close();
  }
});

void connect();
