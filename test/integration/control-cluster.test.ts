// Acceptance for the control plane on three real nodes driven by the engine's MultiConnection:
// setup in the 3 s window, writes seen everywhere within 200 ms, a restarted node caught up within
// 1 s, callRemote with a node down, merged Q&A across a failover re-send, votes summed, pins everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QA_MODERATION_OBJECT, QA_OBJECT, moderationBucketName, type PublicQuestion } from '../../common/qa.js';
import { moderationBucketOf } from '../../main/engine/control/qa/qa-moderation.js';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../main/engine/base/logger.js';
import type { CallResultEvent, SyncEvent } from '../../main/engine/control/control-plane.js';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { fullQaList, openControl, qid, voterFor, type ControlClient } from '../support/control-client.js';
import { startControlCluster, type ControlNode } from '../support/control-cluster.js';
import { waitFor } from '../support/node-process.js';
import { acceptedAt } from '../support/ports.js';

/** A voter id every node of the cluster accepts (they share one publish secret). */
const vid = (name: string) => voterFor(nodes[0]!.node.secret, name);

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let nodes: ControlNode[];
let mc: MultiConnection;
const clients: ControlClient[] = [];
const viewer = async (n: ControlNode) => {
  const c = await openControl(n.node.base);
  clients.push(c);
  return c;
};

const nodeList = (p: ControlClient) => fullQaList(p, 'own');

beforeAll(async () => {
  cluster = await startControlCluster(3);
  nodes = cluster.nodes;
  mc = new MultiConnection({ control: { statsEveryMs: 300 } });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await mc?.stop();
  await cluster?.stop();
});

describe('control plane across three nodes', () => {
  it('opens control sessions in the setup window; a plain RTMP server has none and says so', async () => {
    const plain = { id: 'plain', url: nodes[2]!.node.publishUrl() };
    const t0 = Date.now();
    const setup = await mc.connect([...nodes.map((n) => n.server), plain]);
    expect(Date.now() - t0).toBeLessThan(3500);
    expect(setup.servers.map((s) => [s.id, s.result, s.control?.state])).toEqual([
      ['node-a', 'ready', 'connected'],
      ['node-b', 'ready', 'connected'],
      ['node-c', 'ready', 'connected'],
      ['plain', 'ready', 'none'],
    ]);
    expect(setup.servers[3]!.control?.message).toBe('no control session (plain RTMP server)');
    const stats = await waitFor(() => nodes.every((n) => mc.control.stats(n.id)), 3000, 'stats from every node');
    expect(stats).toBe(true);
    expect(mc.control.stats('node-a')).toMatchObject({ nodeId: 'node-a', live: false });
  });

  it('says so when a node refuses the control token, and never logs a token', async () => {
    const sink = new PassThrough();
    let logged = '';
    sink.on('data', (d) => (logged += d));
    const bad = new MultiConnection({ logger: createLogger('debug', sink), control: { statsEveryMs: 0 } });
    const wrong = 'w'.repeat(40);
    try {
      const t0 = Date.now();
      const setup = await bad.connect([{ ...nodes[0]!.server, controlToken: wrong }, nodes[1]!.server]);
      expect(Date.now() - t0).toBeLessThan(2000); // a refusal ends the wait, it does not run out the window
      expect(setup.servers.map((x) => x.control)).toEqual([
        { state: 'failed', message: 'the node refused the control token' },
        { state: 'connected', message: 'control session to node-b' },
      ]);
      const [r] = await bad.callRemote('ping', null, 'node-a');
      expect(r).toMatchObject({ ok: false, code: 'not-connected', message: 'the node refused the control token' });
    } finally {
      await bad.stop();
    }
    expect(logged).toContain('control session to node-b');
    for (const t of [wrong, nodes[0]!.token, nodes[1]!.token]) expect(logged).not.toContain(t);
  });

  it('shows a presenter write to viewers on all three nodes within 200 ms', async () => {
    const vs = await Promise.all(nodes.map(viewer));
    // Twenty writes, one at a time, 60 deliveries: 57 of them (the 95th percentile) within 200 ms,
    // and none over a second. The three spared are a 2-core machine's scheduling and GC pauses,
    // which the whole test suite shares with seven node processes; a slow path would miss all.
    const delays: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const title = `Slide ${i}: Welcome`;
      const t0 = performance.now();
      mc.setSoValue('banner', 'title', title);
      const seen = await Promise.all(vs.map((v) => v.next('so.sync', (m) => m.slots.title?.value === title).then(() => performance.now() - t0)));
      delays.push(...seen);
    }
    delays.sort((a, b) => a - b);
    expect(delays).toHaveLength(60);
    expect(delays[56], `deliveries in ms: ${delays.map(Math.round).join(' ')}`).toBeLessThanOrEqual(200);
    expect(delays[59]).toBeLessThanOrEqual(1000);
    expect(mc.getSoValue('banner', 'title')).toBe('Slide 20: Welcome');
  });

  it('fires onSync once per node for one write, and onNodeStats for every node', async () => {
    const syncs: SyncEvent[] = [];
    const stats = new Set<string>();
    const subs = [
      mc.control.onSync((e) => e.name === 'banner' && syncs.push(e)),
      mc.control.onNodeStats((e) => {
        expect(e.stats.nodeId).toBe(e.server);
        stats.add(e.server);
      }),
    ];
    try {
      mc.setSoValue('banner', 'title', 'Events: one write');
      await waitFor(() => syncs.length >= 3, 2000, 'onSync from each node');
      await waitFor(() => stats.size === 3, 3000, 'onNodeStats from each node (polled every 300 ms)');
      await new Promise((r) => setTimeout(r, 300)); // no second event for the same write
      expect(syncs.map((e) => e.server).sort()).toEqual(['node-a', 'node-b', 'node-c']);
      for (const e of syncs) expect(e).toMatchObject({ changed: ['title'], values: { title: 'Events: one write' } });
      expect([...stats].sort()).toEqual(['node-a', 'node-b', 'node-c']);
    } finally {
      for (const d of subs) d.dispose();
    }
  });

  it('refuses writes and calls over the node payload limit instead of losing the sessions', async () => {
    expect(() => mc.setSoValue('big', 'blob', 'a'.repeat(70_000))).toThrow(/must stay under/);
    expect(mc.getSoValue('big', 'blob')).toBeUndefined();
    const [r] = await mc.callRemote('ping', null, 'node-a', ['a'.repeat(70_000)]);
    expect(r).toMatchObject({ ok: false, code: 'too-large' });
    const all = await mc.callRemote('ping', null);
    expect(all.filter((x) => x.ok).map((x) => x.server)).toEqual(['node-a', 'node-b', 'node-c']);
  });

  it('callRemote to all with one node stopped: two results and one timeout within 3 s; the node catches up within 1 s of coming back', async () => {
    const c = nodes[2]!;
    await c.node.stop();
    const events: CallResultEvent[] = [];
    const sub = mc.control.onCallResult((e) => events.push(e));
    const t0 = Date.now();
    const results = await mc.callRemote('ping', null, undefined, []);
    const elapsed = Date.now() - t0;
    sub.dispose();
    // onCallResult: one event per node, the timeout included, each the result callRemote returned.
    expect(events.map((e) => e.server).sort()).toEqual(['node-a', 'node-b', 'node-c', 'plain']);
    for (const e of events) {
      expect(e.method).toBe('ping');
      expect(e.result).toEqual(results.find((r) => r.server === e.server));
    }
    expect(elapsed).toBeLessThanOrEqual(3100);
    const byServer = Object.fromEntries(results.map((r) => [r.server, r.ok ? 'ok' : r.code]));
    expect(byServer).toEqual({ 'node-a': 'ok', 'node-b': 'ok', 'node-c': 'timeout', plain: 'not-connected' });

    // Written while node C is down, so only the full-state resync can bring it there.
    mc.setSoValue('banner', 'title', 'Slide 2: While C was down');
    mc.setSoValue('banner', 'speaker', 'Ada');
    // Restart with an empty data dir: the state must come from the engine, not from C's own file.
    const { rmSync } = await import('node:fs');
    rmSync(c.dataDir, { recursive: true, force: true });
    const back = c.restart();
    const upAt = await acceptedAt(c.node.httpPort, 30_000);
    await back;
    const caughtUp = await waitFor(async () => {
      const v = await openControl(c.node.base);
      clients.push(v);
      const m = await v.next('so.sync', (s) => s.name === 'banner', 300).catch(() => null);
      return m && m.slots.title?.value === 'Slide 2: While C was down' && m.slots.speaker?.value === 'Ada' ? Date.now() : null;
    }, 5000, 'node C to have the full state', 20);
    expect(caughtUp - upAt).toBeLessThanOrEqual(1000);
    expect(mc.control.statusOf('node-c').state).toBe('connected');
  });

  it('merges a question asked on A and re-sent through B once, adds up the voters of all nodes, and shows the pin on every node', async () => {
    const [a, b, c] = await Promise.all(nodes.map(viewer));
    const id = qid('merge-1');
    a!.send({ type: 'qa.ask', id, text: '<script>alert(1)</script> How does failover work?', name: 'Viewer A' });
    await waitFor(() => mc.control.questions.find((q) => q.id === id), 2000, 'question on the engine');
    // The viewer failed over to B and its page sent the same question again.
    b!.send({ type: 'qa.ask', id, text: '<script>alert(1)</script> How does failover work?', name: 'Viewer A' });
    await waitFor(() => mc.control.questions.find((q) => q.id === id)?.nodes.length === 2, 2000, 'B to report it too');
    expect(mc.control.questions.filter((q) => q.id === id)).toHaveLength(1);

    a!.send({ type: 'qa.vote', questionId: id, voterId: vid('voter-a-001') });
    b!.send({ type: 'qa.vote', questionId: id, voterId: vid('voter-b-001') });
    // C never saw the question asked; it knows it from the published Q&A object.
    await c!.next('so.sync', (m) => m.name === QA_OBJECT && JSON.stringify(m.slots.questions?.value ?? []).includes(id));
    c!.send({ type: 'qa.vote', questionId: id, voterId: vid('voter-c-001') });
    await waitFor(() => mc.control.questions.find((q) => q.id === id)?.votes === 3, 2000, 'votes summed over A, B and C');

    mc.control.moderate({ action: 'pin', questionId: id });
    await Promise.all(
      [a!, b!, c!].map((v) =>
        v.next('so.sync', (m) => m.name === QA_OBJECT && m.slots.pinned?.value === id && (m.slots.questions?.value as unknown as PublicQuestion[] | undefined)?.[0]?.pinned === true),
      ),
    );
    const csv = mc.control.exportQa('csv');
    expect(csv.split('\r\n').filter((l) => l.startsWith(id))).toHaveLength(1);
  });

  it('keeps questions across a node restart and merges them again after the resync', async () => {
    const b = nodes[1]!;
    const before = mc.control.questions.length;
    const own = async () => {
      const p = await openControl(b.node.base, { role: 'presenter', token: b.token });
      clients.push(p);
      try {
        return await nodeList(p);
      } finally {
        p.close();
      }
    };
    const ownBefore = await own();
    expect(ownBefore.questions.map((q) => q.id)).toContain(qid('merge-1'));
    expect(ownBefore.voters[qid('merge-1')]).toEqual([vid('voter-b-001')]);
    await b.restart();
    // B's own list, not the engine's merged one (which never loses anything): the same after its restart.
    const ownAfter = await own();
    expect(ownAfter.questions.map((q) => q.id).sort()).toEqual(ownBefore.questions.map((q) => q.id).sort());
    expect(ownAfter.votes).toEqual(ownBefore.votes);
    expect(ownAfter.voters).toEqual(ownBefore.voters);
    await waitFor(() => mc.control.statusOf('node-b').state === 'connected', 5000, 'B reconnected');
    const v = await viewer(b);
    v.send({ type: 'qa.ask', id: qid('after-restart'), text: 'Still there?' });
    await waitFor(() => mc.control.questions.some((q) => q.id === qid('after-restart')), 3000, 'new question');
    expect(mc.control.questions.length).toBe(before + 1);
    const merged = mc.control.questions.find((q) => q.id === qid('merge-1'))!;
    expect(merged.nodes.sort()).toEqual(['node-a', 'node-b']);
    expect(merged.votes).toBe(3);
  });

  it('notices a frozen node by heartbeat within 10 s and reconnects when it thaws', async () => {
    const a = nodes[0]!;
    const pid = a.node.proc.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      await waitFor(() => mc.control.statusOf('node-a').state !== 'connected', 10_000, 'node-a seen as lost');
      expect(Date.now() - t0).toBeLessThanOrEqual(10_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(() => mc.control.statusOf('node-a').state === 'connected', 10_000, 'node-a back');
    const results = await mc.callRemote('ping', null, 'node-a');
    expect(results.map((r) => r.ok)).toEqual([true]);
  });

  it('a restarted engine takes shared objects and moderation back from the nodes', async () => {
    const v = await viewer(nodes[0]!);
    v.send({ type: 'qa.ask', id: qid('dismiss-me'), text: 'Off topic' });
    await waitFor(() => mc.control.questions.some((q) => q.id === qid('dismiss-me')), 3000, 'question to dismiss');
    mc.control.moderate({ action: 'dismiss', questionId: qid('dismiss-me') });
    mc.control.moderate({ action: 'answer', questionId: qid('after-restart') });
    mc.control.moderate({ action: 'pre-moderation', on: true });
    const watcher = await openControl(nodes[1]!.node.base, { role: 'presenter', token: nodes[1]!.token });
    clients.push(watcher);
    // The flags in `qa.moderation`, each question's status in the bucket object its id hashes to.
    await watcher.next('so.sync', (m) => m.name === QA_MODERATION_OBJECT && m.slots.preModeration?.value === true);
    await watcher.next('so.sync', (m) => m.name === moderationBucketName(moderationBucketOf(qid('dismiss-me'))) && JSON.stringify(m.slots.dismissed?.value ?? []).includes(qid('dismiss-me')));
    watcher.close();
    const count = mc.control.questions.length;

    await mc.stop();
    mc = new MultiConnection({ control: { statsEveryMs: 0 } });
    await mc.connect(nodes.map((n) => n.server));
    // Each node's qa.list arrives on its own; votes are whole once all three have answered.
    await waitFor(() => mc.control.questions.length === count && mc.control.questions.find((q) => q.id === qid('merge-1'))?.votes === 3, 3000, 'questions and votes merged again');
    const status = (id: string) => mc.control.questions.find((q) => q.id === id)?.status;
    expect(status(qid('dismiss-me'))).toBe('dismissed');
    expect(status(qid('after-restart'))).toBe('answered');
    expect(status(qid('merge-1'))).toBe('approved');
    expect(mc.control.qaState.pinnedId).toBe(qid('merge-1'));
    expect(mc.control.qaState.preModeration).toBe(true);
    expect(mc.getSoValue('banner', 'title')).toBe('Slide 2: While C was down');
  });
});
