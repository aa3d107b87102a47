// Q&A to viewers as changes, against real nodes and the engine's own control plane (issue 13): a
// viewer that misses a change (a delta lost, or its socket dropped) asks again by itself and ends
// with exactly the presenter's public view; a viewer joining a node with 10,000 questions gets a
// bounded first view; and one change costs a viewer the same few hundred bytes with 100 or 5,000
// questions on the node. Viewers keep their copy with the page's own rule (so-mirror.ts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoMirror } from '../../app/viewer/src/so-mirror.js';
import { PROTOCOL_VERSION, nodeToClientSchema, parseFrame, type NodeToClient } from '../../common/control-protocol.js';
import { QA_PUBLIC_BYTES } from '../../common/limits.js';
import { QA_OBJECT } from '../../common/qa.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';

interface Seeded {
  node: NodeProcess;
  plane: ControlPlane;
  dir: string;
}

const seeded: Seeded[] = [];
const sockets: WebSocket[] = [];

/** A node whose log holds `n` questions (replayed on start), and the engine connected to it. */
async function seed(n: number): Promise<Seeded> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-qa-delta-'));
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ t: 'q', q: { id: `seed-${String(i).padStart(6, '0')}`, text: `Seeded question ${i}: how does failover work?`, askedAt: 1_000_000 + i, votes: 0 } }));
  writeFileSync(path.join(dir, 'questions.jsonl'), lines.length ? lines.join('\n') + '\n' : '');
  const token = randomBytes(24).toString('hex');
  const node = await startNode({ env: { TANDEM_CONTROL_TOKEN: token, TANDEM_CONTROL_DIR: dir, TANDEM_QUESTIONS_PER_ADDRESS_PER_MIN: '10000' } });
  const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  plane.setServers([{ id: 'n', url: 'rtmp://127.0.0.1/live', controlUrl: node.base, controlToken: token }]);
  await plane.connect(5000);
  const s = { node, plane, dir };
  seeded.push(s);
  // The engine merged the node's list and published its public view.
  await waitFor(() => ((plane.getSo(QA_OBJECT, 'questions') as unknown[] | undefined)?.length ?? 0) >= Math.min(n, 100), 20_000, 'the public view published');
  return s;
}

/** A viewer as the page is: deltas (and deflate when asked), its copy kept by SoMirror, resyncs by itself. */
class DeltaViewer {
  readonly mirror = new SoMirror();
  readonly frames: { bytes: number; message: NodeToClient }[] = [];
  ws!: WebSocket;
  /** Loses the next `so.delta` of the `qa` object, as if the network had (the node does not know). */
  dropNextQaDelta = false;
  resyncsSent = 0;

  constructor(private readonly base: string, private readonly deflate: boolean) {}

  async open(): Promise<void> {
    const ws = new WebSocket(this.base.replace(/^http/, 'ws') + '/control', { perMessageDeflate: false });
    sockets.push(ws);
    this.ws = ws;
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (d: Buffer, isBinary: boolean) => {
        const parsed = nodeToClientSchema.safeParse(parseFrame(isBinary ? inflateRawSync(d).toString('utf8') : d.toString('utf8')));
        if (!parsed.success) return;
        const m = parsed.data;
        this.frames.push({ bytes: d.length, message: m });
        if (m.type === 'welcome') {
          this.mirror.reset();
          resolve();
        }
        if (m.type !== 'so.sync' && m.type !== 'so.delta') return;
        if (m.type === 'so.delta' && m.name === QA_OBJECT && this.dropNextQaDelta) {
          this.dropNextQaDelta = false;
          return;
        }
        const r = this.mirror.apply(m);
        if (r.kind === 'resync') {
          this.resyncsSent++;
          ws.send(JSON.stringify({ type: 'so.resync', name: r.name }));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'viewer', delta: true, deflate: this.deflate }));
    await welcomed;
  }

  view(): string {
    const slots = this.mirror.slots(QA_OBJECT);
    return JSON.stringify({ questions: slots?.questions?.value ?? null, pinned: slots?.pinned?.value ?? null });
  }
}

const presenterView = (plane: ControlPlane) => JSON.stringify({ questions: plane.getSo(QA_OBJECT, 'questions') ?? null, pinned: plane.getSo(QA_OBJECT, 'pinned') ?? null });

/** A plain viewer socket that asks one question (the node rate-limits per connection). */
async function ask(base: string, id: string, text: string): Promise<void> {
  const ws = new WebSocket(base.replace(/^http/, 'ws') + '/control');
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'viewer' })));
    ws.once('error', reject);
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; question?: { id: string } };
      if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'qa.ask', id, text }));
      if (m.type === 'qa.asked' && m.question?.id === id) resolve();
      if (m.type === 'error') reject(new Error(`the node refused the question: ${String(d)}`));
    });
  });
  ws.close();
}

let small: Seeded;
let large: Seeded;
let huge: Seeded;

beforeAll(async () => {
  [small, large, huge] = await Promise.all([seed(100), seed(5000), seed(10_000)]);
}, 90_000);

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  for (const s of seeded) {
    s.plane.dispose();
    await s.node.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

describe('Q&A to viewers as changes', () => {
  it('a viewer that loses a change, or its socket, resyncs by itself to exactly the presenter view', async () => {
    const { node, plane } = small;
    const v = new DeltaViewer(node.base, true);
    await v.open();
    await waitFor(() => v.view() === presenterView(plane), 5000, 'the first view');

    // A delta is lost on the way: the next one shows the gap, the viewer asks, the node sends it all.
    v.dropNextQaDelta = true;
    plane.moderate({ action: 'pin', questionId: 'seed-000042' });
    await waitFor(() => !v.dropNextQaDelta, 5000, 'the pin delta (dropped)');
    expect(v.view()).not.toBe(presenterView(plane));
    plane.moderate({ action: 'answer', questionId: 'seed-000099' });
    await ask(node.base, 'q-delta-after-gap', 'Asked after the lost change');
    await waitFor(() => v.view() === presenterView(plane) && v.view().includes('q-delta-after-gap'), 5000, 'the view after a resync');
    expect(v.mirror.gaps).toBe(1);
    expect(v.resyncsSent).toBe(1);
    const resynced = v.frames.filter((f) => f.message.type === 'so.sync' && f.message.name === QA_OBJECT);
    expect(resynced.length).toBe(2); // the hello's and the resync's
    expect(JSON.parse(v.view()).pinned).toBe('seed-000042');

    // The socket drops; changes happen while it is away; a new session starts with a full view.
    v.ws.terminate();
    plane.moderate({ action: 'dismiss', questionId: 'seed-000042' });
    await ask(node.base, 'q-delta-while-away', 'Asked while a viewer was away');
    await waitFor(() => presenterView(plane).includes('q-delta-while-away'), 5000, 'the engine view with the new question');
    await v.open();
    await waitFor(() => v.view() === presenterView(plane), 5000, 'the view after a reconnect');
    expect(v.view()).not.toContain('seed-000042');
  }, 30_000);

  it('a viewer joining a node with 10,000 questions gets a bounded first view, the exact public view', async () => {
    const { node, plane } = huge;
    for (const deflate of [false, true]) {
      const v = new DeltaViewer(node.base, deflate);
      await v.open();
      await waitFor(() => v.view() === presenterView(plane), 5000, 'the first view');
      const bytes = v.frames.reduce((n, f) => n + f.bytes, 0);
      // The view is cut to QA_PUBLIC_BYTES of questions, whatever the node holds; deflated far less.
      expect(bytes).toBeLessThan(QA_PUBLIC_BYTES + 2048);
      if (deflate) expect(bytes).toBeLessThan(QA_PUBLIC_BYTES / 4);
      expect((JSON.parse(v.view()) as { questions: unknown[] }).questions).toHaveLength(100);
      v.ws.close();
    }
  }, 30_000);

  it('one change costs a viewer the same few hundred bytes with 100 or 5,000 questions', async () => {
    const cost = async ({ node, plane }: Seeded, id: string) => {
      const v = new DeltaViewer(node.base, false);
      await v.open();
      await waitFor(() => v.view() === presenterView(plane), 5000, 'the first view');
      const from = v.frames.length;
      await ask(node.base, id, 'One more question, please?');
      await waitFor(() => v.view() === presenterView(plane) && v.view().includes(id), 5000, 'the change');
      const deltas = v.frames.slice(from).filter((f) => f.message.type === 'so.delta' && f.message.name === QA_OBJECT);
      v.ws.close();
      return { bytes: deltas.reduce((n, f) => n + f.bytes, 0), count: deltas.length, full: Buffer.byteLength(presenterView(plane)) };
    };
    const a = await cost(small, 'q-cost-at-100');
    const b = await cost(large, 'q-cost-at-5000');
    expect(a.count).toBe(1);
    expect(b.count).toBe(1);
    expect(Math.abs(a.bytes - b.bytes)).toBeLessThanOrEqual(16);
    expect(b.bytes).toBeLessThan(512);
    // What a change cost before: the whole public view.
    expect(b.bytes * 10).toBeLessThan(b.full);
  }, 30_000);
});
