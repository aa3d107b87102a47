// The control plane of one real node: roles and auth, shared objects and persistence, remote calls,
// Q&A with its append-only log across a kill -9, rate limits, Origin check, heartbeat and fuzzing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../common/control-protocol.js';
import { fullQaList, openControl, qid, voterFor, type ControlClient } from '../support/control-client.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher } from '../support/node-publisher.js';
import { alive } from '../support/procs.js';

const token = randomBytes(24).toString('hex');
/** One publish secret across the restart below: voter ids are signed with a key derived from it. */
const secret = randomBytes(32).toString('hex');
const vid = (name: string) => voterFor(secret, name);
let dir: string;
let node: NodeProcess;
const open: ControlClient[] = [];
const client = async (o: Parameters<typeof openControl>[1] = {}) => {
  const c = await openControl(node.base, o);
  open.push(c);
  return c;
};

const fullList = fullQaList;

/** A small seeded PRNG, so a failing fuzz run can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function start(ports?: { http: number; rtmp: number }) {
  node = await startNode({
    env: {
      TANDEM_CONTROL_TOKEN: token,
      TANDEM_CONTROL_DIR: path.join(dir, 'data'),
      TANDEM_CONTROL_PLUGIN: path.join(dir, 'plugin.mjs'),
      // This file tests each connection's limits, from many connections of one address (per-address: security-node-address-limits.test.ts).
      TANDEM_MAX_CONNECTIONS_PER_ADDRESS: '1000',
      TANDEM_QUESTIONS_PER_ADDRESS_PER_MIN: '1000',
      TANDEM_VOTES_PER_ADDRESS_PER_MIN: '10000',
    },
    secret,
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

    viewer.send({ type: 'qa.vote', questionId: qid('a1'), voterId: vid('voter-0001') });
    viewer.send({ type: 'qa.vote', questionId: qid('a1'), voterId: vid('voter-0001') });
    viewer.send({ type: 'qa.vote', questionId: qid('a1'), voterId: vid('voter-0002') });
    expect((await presenter.next('qa.votes', (m) => m.votes === 2)).questionId).toBe(qid('a1'));
    viewer.send({ type: 'qa.vote', questionId: qid('zz'), voterId: vid('voter-0003') });
    expect((await viewer.next('error', (m) => m.ref === qid('zz'))).code).toBe('bad-message');

    // Ten votes a minute per connection: the eleventh is refused.
    const voter = await client();
    for (let i = 0; i < 11; i++) voter.send({ type: 'qa.vote', questionId: qid('a1'), voterId: vid(`voter-x-${String(i).padStart(3, '0')}`) });
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

  it('answers each of 1,000 malformed, wrong-typed, forbidden and fuzzed messages with one error, closes oversized frames with 1009, and keeps serving', async () => {
    const presenter = await client({ role: 'presenter', token });
    const bystander = await client();
    // 30 viewers past hello (30 messages each: under the message burst of 40, so every one is parsed
    // and checked) and one fuzzing presenter (100 messages: under its burst and maxErrors).
    const viewers = await Promise.all(Array.from({ length: 30 }, () => client()));
    const fuzzer = await client({ role: 'presenter', token });
    const rnd = mulberry32(0x7a4d3);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const badIds: unknown[] = [undefined, '', 'short', 'x'.repeat(65), 'has space!!', 'constructor', 'hasOwnProperty', 42, null, {}, [qid(1)], { $gt: '' }];
    const badTexts: unknown[] = [undefined, '', '   ', 'x'.repeat(501), 7, null, {}, ['why?'], true];
    const badNames: unknown[] = ['n'.repeat(61), 5, null, {}, ['Ann'], false];
    const malformed = ['not json', '{"type":', '[]', 'null', '42', '"qa.ask"', '{}', '{"type":42}', '{"type":null}', '{"type":["qa.ask"]}', '{"type":"nope"}', '{"type":"QA.ASK"}', '\u0000\u0001'];
    const mutate = (base: Record<string, unknown>, field: string, bad: readonly unknown[]) => {
      const m = { ...base };
      const v = pick(bad);
      if (v === undefined) delete m[field];
      else m[field] = v;
      return JSON.stringify(m);
    };
    const askBase = { type: 'qa.ask', id: qid('fz'), text: 'A fair question', name: 'Fuzz' };
    const voteBase = { type: 'qa.vote', questionId: qid('a1'), voterId: vid('voter-fuzz-01') };
    const viewerJunk = (): string | Buffer => {
      switch (Math.floor(rnd() * 9)) {
        case 0:
          return pick(malformed);
        case 1:
          return mutate(askBase, 'id', badIds);
        case 2:
          return mutate(askBase, 'name', badNames);
        case 3:
          return mutate(voteBase, pick(['questionId', 'voterId']), badIds);
        case 4: // presenter-only types, valid in shape
          return JSON.stringify(
            pick([
              { type: 'so.set', name: 'banner', slots: { title: 'pwned' } },
              { type: 'so.state', objects: { banner: { public: true, slots: { title: 'pwned' } } } },
              { type: 'call', id: 'c1', method: 'ping' },
              { type: 'cue', cue: { id: 'c', streamTimeMs: 0, kind: 'slide', data: 1 } },
              { type: 'qa.list', id: 'L' },
            ]),
          );
        case 5: // hello again, or a broken one
          return JSON.stringify(pick([{ type: 'hello', v: PROTOCOL_VERSION, role: 'viewer' }, { type: 'hello', v: '1', role: 'viewer' }, { type: 'hello', v: PROTOCOL_VERSION, role: 'admin' }]));
        case 6:
          return Buffer.from(JSON.stringify(askBase)); // a binary frame, even of a valid question
        case 7:
          return mutate(voteBase, 'questionId', badIds);
        default:
          return mutate(askBase, 'text', badTexts);
      }
    };
    const presenterJunk = (): string => {
      const setBase = { type: 'so.set', name: 'fuzz', public: true, slots: { title: 'x' } };
      const callBase = { type: 'call', id: 'fz-1', method: 'ping', args: [] };
      const cue = { id: 'c', streamTimeMs: 0, kind: 'slide', data: 1 };
      switch (Math.floor(rnd() * 9)) {
        case 0:
          return pick(malformed);
        case 1:
          return mutate(setBase, 'name', [undefined, '', 'bad name', 'x'.repeat(65), '__proto__', 'constructor', 3, null]);
        case 2:
          return mutate(setBase, 'slots', [undefined, null, 'str', [], { 'bad slot': 1 }, { toString: 1 }, 5]);
        case 3:
          return mutate(setBase, 'public', ['yes', 1, null, {}]);
        case 4:
          return mutate(callBase, pick(['id', 'method']), [undefined, '', 'm'.repeat(65), 2, null]);
        case 5:
          return mutate(callBase, 'args', ['args', {}, Array(17).fill(0), 3]);
        case 6:
          return mutate({ type: 'cue', cue }, 'cue', [undefined, null, 'c', { ...cue, id: '' }, { ...cue, streamTimeMs: -1 }, { ...cue, kind: 'k'.repeat(33) }, { ...cue, streamTimeMs: '0' }]);
        case 7:
          return pick([
            mutate({ type: 'qa.list', id: 'L' }, 'id', [undefined, '', 'x'.repeat(65), 5]),
            mutate({ type: 'so.state', objects: {} }, 'objects', [undefined, [], 'x', { 'bad name': { public: true, slots: {} } }, { ok: { public: 'x', slots: {} } }, { ok: { public: true } }]),
          ]);
        default: // viewer types, and hello again, from a presenter
          return JSON.stringify(pick([askBase, voteBase, { type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', token }]));
      }
    };

    const sent = new Map<ControlClient, number>();
    const oversizedBy = viewers.slice(0, 3);
    let total = 0;
    for (const v of viewers) {
      // Three viewers end with a frame over the 64 KiB limit (sent below, once their replies are in).
      for (let i = 0; i < (oversizedBy.includes(v) ? 29 : 30); i++) {
        v.sendRaw(viewerJunk());
        sent.set(v, (sent.get(v) ?? 0) + 1);
        total++;
      }
    }
    for (let i = 0; i < 100; i++) {
      fuzzer.sendRaw(presenterJunk());
      sent.set(fuzzer, (sent.get(fuzzer) ?? 0) + 1);
      total++;
    }
    const errors = (c: ControlClient) => c.messages.filter((m) => m.type === 'error').length;
    await waitFor(() => [...sent].every(([c, n]) => errors(c) >= n), 5000, 'one error per message');
    // The node closes a client sending an oversized frame with 1009, and answers nothing to it.
    for (const v of oversizedBy) v.sendRaw(JSON.stringify({ ...askBase, text: 'a'.repeat(70 * 1024) }));
    total += oversizedBy.length;
    expect(total).toBe(1000);
    for (const v of oversizedBy) expect(await v.closed).toBe(1009);
    await new Promise((r) => setTimeout(r, 300)); // and no more than one error per message
    for (const [c, n] of sent) {
      expect(errors(c), c === fuzzer ? 'presenter' : `viewer ${viewers.indexOf(c)}`).toBe(n);
      // Nothing was stored, called, listed or written on their behalf.
      expect(c.messages.filter((m) => ['qa.asked', 'qa.votes', 'call.result', 'qa.list', 'cue'].includes(m.type))).toEqual([]);
    }
    for (const v of viewers.slice(3)) expect(v.ws.readyState).toBe(v.ws.OPEN);
    expect(fuzzer.ws.readyState).toBe(fuzzer.ws.OPEN);
    expect(bystander.messages.some((m) => m.type === 'so.sync' && (m.name === 'fuzz' || m.slots.title?.value === 'pwned'))).toBe(false);

    // The node is up and an unrelated viewer and presenter work as before.
    expect((await fetch(`${node.base}/healthz`)).status).toBe(200);
    expect(node.proc.exitCode).toBeNull();
    presenter.send({ type: 'so.set', name: 'banner', slots: { title: 'still here' } });
    await bystander.next('so.sync', (m) => m.slots.title?.value === 'still here');
    bystander.send({ type: 'qa.ask', id: qid('after-fuzz'), text: 'Still taking questions?' });
    await presenter.next('qa.asked', (m) => m.question.id === qid('after-fuzz'));
    presenter.send({ type: 'call', id: 'after-fuzz', method: 'ping' });
    expect((await presenter.next('call.result', (m) => m.id === 'after-fuzz')).ok).toBe(true);
  });

  it('drops a peer that stops answering pings within 10 s', async () => {
    const deaf = await openControl(node.base, { autoPong: false });
    const t0 = Date.now();
    // The node's ping is never answered; ws's own keepalive is off on this side too.
    const code = await Promise.race([deaf.closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
    expect(code).not.toBe(-1);
    expect(Date.now() - t0).toBeLessThanOrEqual(10_000);
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

  it('loses no acknowledged question or vote when the node is killed (SIGKILL) right after its last ack', async () => {
    const p = await client({ role: 'presenter', token });
    const before = await fullList(p, 'before');
    // Five viewers (one question each: the ask limit is per connection), each voting on the questions up to its own.
    const askers = await Promise.all(Array.from({ length: 5 }, () => client()));
    const ids = askers.map((_, i) => qid(`kill-${i}`));
    askers.forEach((v, i) => v.send({ type: 'qa.ask', id: ids[i], text: `Asked just before the crash (${i})`, name: `Asker ${i}` }));
    await Promise.all(askers.map((v, i) => v.next('qa.asked', (m) => m.question.id === ids[i])));
    askers.forEach((v, i) => ids.slice(0, i + 1).forEach((id, j) => v.send({ type: 'qa.vote', questionId: id, voterId: vid(`voter-kill-${i}-${j}`) })));
    await Promise.all(askers.flatMap((v, i) => ids.slice(0, i + 1).map((id) => v.next('qa.votes', (m) => m.questionId === id))));

    // No graceful stop: the last ack is in, the node dies at once (and its media child with it).
    const ports = { http: node.httpPort, rtmp: node.rtmpPort };
    const media = node.mediaPid();
    node.proc.kill('SIGKILL');
    await new Promise((r) => (node.proc.exitCode !== null || node.proc.signalCode !== null ? r(null) : node.proc.once('exit', r)));
    await waitFor(() => !alive(media), 5000, 'the media child gone after its parent');
    await start(ports);

    const after = await fullList(await client({ role: 'presenter', token }), 'after');
    expect(after.questions.map((q) => q.id).sort()).toEqual([...before.questions.map((q) => q.id), ...ids].sort());
    for (const [i, id] of ids.entries()) {
      expect(after.questions.find((q) => q.id === id)).toMatchObject({ text: `Asked just before the crash (${i})`, name: `Asker ${i}` });
      expect(after.votes[id]).toBe(ids.length - i);
      expect([...after.voters[id]!].sort()).toEqual(Array.from({ length: ids.length - i }, (_, k) => vid(`voter-kill-${k + i}-${i}`)).sort());
    }
    expect(after.votes).toEqual({ ...before.votes, ...Object.fromEntries(ids.map((id, i) => [id, ids.length - i])) });
    const v = await client();
    expect((await v.next('so.sync', (m) => m.name === 'banner')).slots.title?.value).toBe('still here');
  });

  it('speaks one protocol version', async () => {
    const c = await client({ hello: false });
    c.send({ type: 'hello', v: PROTOCOL_VERSION + 1, role: 'viewer' });
    expect((await c.next('error')).code).toBe('unsupported-version');
  });
});
