// The control plane of one real node: roles and auth, shared objects and persistence, remote calls,
// Q&A with its append-only log across a restart, rate limits, Origin check, heartbeat and fuzzing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../common/control-protocol.js';
import { openControl, qid, type ControlClient } from '../support/control-client.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher } from '../support/node-publisher.js';

const token = randomBytes(24).toString('hex');
let dir: string;
let node: NodeProcess;
const open: ControlClient[] = [];
const client = async (o: Parameters<typeof openControl>[1] = {}) => {
  const c = await openControl(node.base, o);
  open.push(c);
  return c;
};

async function start(ports?: { http: number; rtmp: number }) {
  node = await startNode({
    env: { TANDEM_CONTROL_TOKEN: token, TANDEM_CONTROL_DIR: path.join(dir, 'data'), TANDEM_CONTROL_PLUGIN: path.join(dir, 'plugin.mjs') },
    ...(ports ? { ports } : {}),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-control-'));
  writeFileSync(
    path.join(dir, 'plugin.mjs'),
    'export default { add: (args) => args.reduce((a, b) => a + b, 0), fail: () => { throw new Error("operator says no"); } };\n',
  );
  await start();
});

afterAll(async () => {
  for (const c of open) c.close();
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('control plane on one node', () => {
  it('refuses a wrong presenter token and every presenter action from a viewer, and keeps serving', async () => {
    const bad = await client({ role: 'presenter', token: 'x'.repeat(48) });
    expect((await bad.next('error')).code).toBe('bad-token');
    expect(await bad.closed).toBe(1008);

    const viewer = await client();
    viewer.send({ type: 'so.set', name: 'banner', slots: { title: 'pwned' } });
    viewer.send({ type: 'call', id: '1', method: 'ping' });
    viewer.send({ type: 'cue', cue: { id: 'c', streamTimeMs: 0, kind: 'slide', data: 1 } });
    const errs = await waitFor(() => (viewer.messages.filter((m) => m.type === 'error').length >= 3 ? viewer.messages : null), 3000, 'three refusals');
    expect(errs.filter((m) => m.type === 'error').map((m) => m.type === 'error' && m.code)).toEqual(['forbidden', 'forbidden', 'forbidden']);
    expect(viewer.ws.readyState).toBe(viewer.ws.OPEN);

    const unauth = await client({ hello: false });
    unauth.send({ type: 'qa.ask', id: qid(1), text: 'before hello' });
    expect((await unauth.next('error')).code).toBe('not-authenticated');
    expect((await fetch(`${node.base}/healthz`)).status).toBe(200);
  });

  it('sends presenter writes to viewers with the changed slots, and the full state to new viewers', async () => {
    const presenter = await client({ role: 'presenter', token });
    const viewer = await client();
    presenter.send({ type: 'so.set', name: 'banner', slots: { title: 'Welcome', slide: 1 } });
    presenter.send({ type: 'so.set', name: 'backstage', public: false, slots: { note: 'presenter only' } });
    presenter.send({ type: 'so.set', name: 'banner', slots: { title: 'Welcome', slide: 2 } });
    const sync = await viewer.next('so.sync', (m) => m.name === 'banner' && m.changed.includes('slide') && m.slots.slide?.value === 2);
    expect(sync.changed).toEqual(['slide']);
    expect(sync.slots.slide).toEqual({ version: 2, value: 2 });
    await presenter.next('so.sync', (m) => m.name === 'backstage');

    const late = await client();
    const full = await late.next('so.sync', (m) => m.name === 'banner');
    expect(full.slots.title?.value).toBe('Welcome');
    expect(full.slots.slide?.value).toBe(2);
    expect(late.messages.some((m) => m.type === 'so.sync' && m.name === 'backstage')).toBe(false);
    expect(viewer.messages.some((m) => m.type === 'so.sync' && m.name === 'backstage')).toBe(false);
  });

  it('answers remote calls: ping, getStats, plugin methods, their errors and unknown methods', async () => {
    const p = await client({ role: 'presenter', token });
    p.send({ type: 'call', id: 'a', method: 'ping' });
    p.send({ type: 'call', id: 'b', method: 'getStats' });
    p.send({ type: 'call', id: 'c', method: 'add', args: [2, 3] });
    p.send({ type: 'call', id: 'd', method: 'fail' });
    p.send({ type: 'call', id: 'e', method: 'nope' });
    expect((await p.next('call.result', (m) => m.id === 'a')).ok).toBe(true);
    const stats = await p.next('call.result', (m) => m.id === 'b');
    expect(stats.value).toMatchObject({ live: false, ingestBps: 0, viewers: 0 });
    expect((stats.value as { controlViewers: number }).controlViewers).toBeGreaterThan(0);
    expect((await p.next('call.result', (m) => m.id === 'c')).value).toBe(5);
    expect(await p.next('call.result', (m) => m.id === 'd')).toMatchObject({ ok: false, code: 'call-failed', message: 'operator says no' });
    expect(await p.next('call.result', (m) => m.id === 'e')).toMatchObject({ ok: false, code: 'unknown-method' });
  });

  it('takes questions idempotently, limits their rate, counts votes once per voter, and forwards both to presenters', async () => {
    const presenter = await client({ role: 'presenter', token });
    const viewer = await client();
    viewer.send({ type: 'qa.ask', id: qid('a1'), text: '<img src=x onerror=alert(1)> why?', name: 'Ann' });
    const asked = await presenter.next('qa.asked', (m) => m.question.id === qid('a1'));
    expect(asked.question.text).toBe('<img src=x onerror=alert(1)> why?');
    viewer.send({ type: 'qa.ask', id: qid('a1'), text: '<img src=x onerror=alert(1)> why?', name: 'Ann' }); // retry: same question, no rate cost
    viewer.send({ type: 'qa.ask', id: qid('a2'), text: 'second too soon' });
    expect((await viewer.next('error', (m) => m.ref === qid('a2'))).code).toBe('rate-limited');
    viewer.send({ type: 'qa.ask', id: qid('a3'), text: 'x'.repeat(501) });
    expect((await viewer.next('error', (m) => m.code === 'bad-message')).message).toMatch(/500/);

    viewer.send({ type: 'qa.vote', questionId: qid('a1'), voterId: 'voter-0001' });
    viewer.send({ type: 'qa.vote', questionId: qid('a1'), voterId: 'voter-0001' });
    viewer.send({ type: 'qa.vote', questionId: qid('a1'), voterId: 'voter-0002' });
    expect((await presenter.next('qa.votes', (m) => m.votes === 2)).questionId).toBe(qid('a1'));
    viewer.send({ type: 'qa.vote', questionId: qid('zz'), voterId: 'voter-0003' });
    expect((await viewer.next('error', (m) => m.ref === qid('zz'))).code).toBe('bad-message');

    // Ten votes a minute per connection: the eleventh is refused.
    const voter = await client();
    for (let i = 0; i < 11; i++) voter.send({ type: 'qa.vote', questionId: qid('a1'), voterId: `voter-x-${String(i).padStart(3, '0')}` });
    expect((await voter.next('error')).code).toBe('rate-limited');
    expect(voter.messages.filter((m) => m.type === 'qa.votes')).toHaveLength(10);

    presenter.send({ type: 'qa.list', id: 'L' });
    const list = await presenter.next('qa.list');
    expect(list.questions.filter((q) => q.id === qid('a1'))).toHaveLength(1);
    expect(list.votes[qid('a1')]).toBe(12);
  });

  it('refuses viewer connections from a foreign Origin and accepts the node\'s own', async () => {
    await expect(openControl(node.base, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const own = await client({ origin: node.base });
    expect(own.messages[0]?.type).toBe('welcome');
  });

  it('survives 1,000 malformed, oversized and fuzzed messages with other clients unaffected', async () => {
    const presenter = await client({ role: 'presenter', token });
    const bystander = await client();
    const junk: (string | Buffer)[] = [
      'not json', '[]', 'null', '{"type":42}', '{"type":"qa.ask"}', '{"type":"hello","v":1,"role":"presenter"}',
      '{"type":"qa.vote","questionId":{"$gt":""}}', '{"__proto__":{"type":"so.set"}}', Buffer.from([0xff, 0xfe, 0x00]),
      JSON.stringify({ type: 'qa.ask', id: qid('f'), text: 'a'.repeat(10_000) }),
    ];
    const attackers = await Promise.all([1, 2, 3, 4].map(() => openControl(node.base, { hello: false })));
    const oversized = await openControl(node.base);
    oversized.sendRaw('x'.repeat(70 * 1024));
    expect(await oversized.closed).toBe(1009);
    let sent = 0;
    for (let i = 0; i < 1000; i++) {
      const a = attackers[i % attackers.length]!;
      if (a.ws.readyState !== a.ws.OPEN) continue;
      const rnd = randomBytes(1 + (i % 64));
      a.sendRaw(i % 3 === 0 ? rnd : junk[i % junk.length]!);
      sent++;
    }
    expect(sent).toBeGreaterThan(200);
    for (const a of attackers) a.close();
    presenter.send({ type: 'so.set', name: 'banner', slots: { title: 'still here' } });
    await bystander.next('so.sync', (m) => m.slots.title?.value === 'still here');
    expect((await fetch(`${node.base}/healthz`)).status).toBe(200);
    expect(node.proc.exitCode).toBeNull();
  });

  it('drops a peer that stops answering pings within 10 s', async () => {
    const deaf = await openControl(node.base, { autoPong: false });
    const t0 = Date.now();
    // The node's ping is never answered; ws's own keepalive is off on this side too.
    const code = await Promise.race([deaf.closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_500))]);
    expect(code).not.toBe(-1);
    expect(Date.now() - t0).toBeLessThanOrEqual(10_500);
  });

  it('reports what the node receives of the live stream: ingest bitrate, fps and keyframe age', async () => {
    const p = await client({ role: 'presenter', token });
    const publisher = startPublisher(node.publishUrl('main'), { seconds: 20 });
    try {
      let n = 0;
      const stats = await waitFor(async () => {
        const id = `s${++n}`;
        p.send({ type: 'call', id, method: 'getStats' });
        const r = (await p.next('call.result', (m) => m.id === id)).value as { live: boolean; fps: number | null; keyframeAgeMs: number | null; ingestBps: number; viewers: number };
        return r.live && r.fps !== null && r.fps > 0 && r.keyframeAgeMs !== null && r.ingestBps > 0 ? r : null;
      }, 20_000, 'live stats', 500);
      // testsrc2 at 30 fps with a keyframe every 30 frames (test/support/node-publisher.ts).
      expect(stats.fps).toBeGreaterThan(20);
      expect(stats.fps).toBeLessThan(40);
      expect(stats.keyframeAgeMs).toBeLessThan(2500);
      expect(stats.viewers).toBe(0); // the probe is not counted as a viewer
    } finally {
      await publisher.stop();
    }
  });

  it('keeps every question, vote and shared object across a node restart', async () => {
    const before = await client({ role: 'presenter', token });
    before.send({ type: 'qa.list', id: 'before' });
    const listBefore = await before.next('qa.list');
    expect(listBefore.questions.length).toBeGreaterThan(0);
    const ports = { http: node.httpPort, rtmp: node.rtmpPort };
    await node.stop();
    await start(ports);
    const after = await client({ role: 'presenter', token });
    after.send({ type: 'qa.list', id: 'after' });
    const listAfter = await after.next('qa.list');
    expect(listAfter.questions.map((q) => q.id).sort()).toEqual(listBefore.questions.map((q) => q.id).sort());
    expect(listAfter.votes).toEqual(listBefore.votes);
    const v = await client();
    expect((await v.next('so.sync', (m) => m.name === 'banner')).slots.title?.value).toBe('still here');
  });

  it('speaks one protocol version', async () => {
    const c = await client({ hello: false });
    c.send({ type: 'hello', v: PROTOCOL_VERSION + 1, role: 'viewer' });
    expect((await c.next('error')).code).toBe('unsupported-version');
  });
});
