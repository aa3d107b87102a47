// The webcast's lifecycle over the control plane, with the engine's ControlPlane and real nodes:
// countdown, begin (a fresh Q&A archived on every node, or continued), end, each confirmed by every
// connected node; a node that was down gets the phase when it comes back; the phase survives a
// node restart; a question asked while no presenter is connected is said to be kept, and reaches
// the presenter that connects later; a node without a presenter token closes questions.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QA_OBJECT } from '../../common/qa.js';
import { MAX_QUESTIONS_PER_NODE } from '../../common/limits.js';
import { QUESTIONS_CLOSED } from '../../common/webcast.js';
import { createLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { fullQaList, openControl, qid, type ControlClient } from '../support/control-client.js';
import { startControlCluster, type ControlNode } from '../support/control-cluster.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let nodes: ControlNode[];
let cp: ControlPlane;
const clients: ControlClient[] = [];
const planes: ControlPlane[] = [];
const viewer = async (base: string) => {
  const c = await openControl(base);
  clients.push(c);
  return c;
};
const plane = () => {
  const p = new ControlPlane({ logger: createLogger('error'), statsEveryMs: 0 });
  planes.push(p);
  return p;
};
/** The public questions a viewer sees now (the last `qa` sync), by text. */
const publicTexts = (c: ControlClient) => {
  const sync = [...c.messages].reverse().find((m) => m.type === 'so.sync' && m.name === QA_OBJECT && m.slots.questions);
  const v = sync?.type === 'so.sync' ? sync.slots.questions!.value : [];
  return Array.isArray(v) ? v.map((q) => (q as { text: string }).text) : [];
};

beforeAll(async () => {
  cluster = await startControlCluster(2);
  nodes = cluster.nodes;
  cp = plane();
  cp.setServers(nodes.map((n) => n.server));
  const status = await cp.connect(3000);
  expect([...status.values()].map((s) => s.state)).toEqual(['connected', 'connected']);
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of planes) p.dispose();
  await cluster?.stop();
});

describe('webcast lifecycle', () => {
  it('a countdown reaches every node and its viewers, confirmed by each', async () => {
    const [va, vb] = [await viewer(nodes[0]!.node.base), await viewer(nodes[1]!.node.base)];
    expect(await va.next('webcast')).toMatchObject({ webcast: { phase: 'idle', questions: 'open' } });
    const results = await cp.countdown(5);
    expect(results.map((r) => [r.server, r.ok])).toEqual([['node-a', true], ['node-b', true]]);
    for (const v of [va, vb]) {
      const m = await v.next('webcast', (x) => x.webcast.phase === 'countdown');
      expect(m.webcast.remainingMs).toBeGreaterThan(3000);
      expect(m.webcast.remainingMs).toBeLessThanOrEqual(5000);
    }
    await expect(cp.countdown(0)).rejects.toThrow(/at least 1 second/);
    await expect(cp.countdown(3600)).rejects.toThrow(/at most 60 seconds/);
  });

  it('begin without continue archives each node\'s Q&A (0600, in its state folder) and viewers see none of it', async () => {
    await cp.beginWebcast();
    const va = await viewer(nodes[0]!.node.base);
    va.send({ type: 'qa.ask', id: qid('first-webcast'), text: 'from the first webcast' });
    const ack = await va.next('qa.asked');
    expect(ack.kept).toBeUndefined(); // a presenter is connected: the question went to it
    await waitFor(() => cp.questions.some((q) => q.text === 'from the first webcast'), 3000, 'question merged by the engine');
    await waitFor(() => publicTexts(va).includes('from the first webcast'), 3000, 'question in the public view');

    const results = await cp.beginWebcast();
    expect(results.every((r) => r.ok && r.webcast.phase === 'live')).toBe(true);
    // The viewer's page is emptied by the engine's public view; the engine's own list too.
    await waitFor(() => publicTexts(va).length === 0 && [...va.messages].some((m) => m.type === 'so.sync' && m.name === QA_OBJECT), 3000, 'empty public view');
    expect(cp.questions).toEqual([]);
    expect(cp.previousQaExport('csv')).toContain('from the first webcast');
    expect(JSON.parse(cp.previousQaExport('json')!).questions[0].text).toBe('from the first webcast');

    const dir = nodes[0]!.dataDir;
    const archives = readdirSync(dir).filter((f) => /^questions-.*\.jsonl$/.test(f));
    expect(archives).toHaveLength(1);
    const archive = path.join(dir, archives[0]!);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(readFileSync(archive, 'utf8')).toContain('from the first webcast');
    expect(readFileSync(path.join(dir, 'questions.jsonl'), 'utf8')).toBe('');
    // The node's own list is the new session's: empty (a fresh presenter merges nothing old).
    const p = await openControl(nodes[0]!.node.base, { role: 'presenter', token: nodes[0]!.token });
    clients.push(p);
    expect((await fullQaList(p, 'after-begin')).questions).toEqual([]);
  });

  it('begin with continueQa keeps the questions', async () => {
    const va = await viewer(nodes[1]!.node.base);
    va.send({ type: 'qa.ask', id: qid('kept-across'), text: 'continued question' });
    await va.next('qa.asked');
    await waitFor(() => cp.questions.some((q) => q.text === 'continued question'), 3000, 'question merged');
    const before = readdirSync(nodes[1]!.dataDir).filter((f) => f.startsWith('questions-')).length;
    await cp.beginWebcast({ continueQa: true });
    expect(cp.questions.map((q) => q.text)).toContain('continued question');
    expect(readdirSync(nodes[1]!.dataDir).filter((f) => f.startsWith('questions-')).length).toBe(before);
  });

  it('end reaches every viewer; a node restart keeps it ended', async () => {
    const [va, vb] = [await viewer(nodes[0]!.node.base), await viewer(nodes[1]!.node.base)];
    const t0 = Date.now();
    const results = await cp.endWebcast();
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    for (const v of [va, vb]) await v.next('webcast', (m) => m.webcast.phase === 'ended' && m.webcast.reason === 'stopped');
    expect(Date.now() - t0).toBeLessThan(2000);

    await nodes[1]!.restart();
    const again = await viewer(nodes[1]!.node.base);
    expect(await again.next('webcast')).toMatchObject({ webcast: { phase: 'ended', reason: 'stopped' } });
  });

  it('a node that was down when a webcast began gets it when it comes back (and archives its Q&A then)', async () => {
    const b = nodes[1]!;
    await waitFor(() => cp.statusOf('node-b').state === 'connected', 5000, 'engine back on node-b');
    const vb = await viewer(b.node.base);
    vb.send({ type: 'qa.ask', id: qid('before-outage'), text: 'asked before the outage' });
    await vb.next('qa.asked');
    const archivedBefore = readdirSync(b.dataDir).filter((f) => f.startsWith('questions-')).length;
    const ports = { http: b.node.httpPort, rtmp: b.node.rtmpPort };
    await b.node.stop();
    await waitFor(() => cp.statusOf('node-b').state !== 'connected', 10_000, 'engine sees node-b down');
    const t0 = Date.now();
    const results = await cp.beginWebcast();
    expect(Date.now() - t0).toBeLessThan(2000); // the down node is not waited for
    expect(results.find((r) => r.server === 'node-b')).toMatchObject({ ok: false, code: 'not-connected' });
    expect(results.find((r) => r.server === 'node-a')).toMatchObject({ ok: true });
    // Back with the same state folder: the engine's resync brings the new session.
    b.node = await startNode({ env: { TANDEM_NODE_ID: 'node-b', TANDEM_CONTROL_TOKEN: b.token, TANDEM_CONTROL_DIR: b.dataDir }, ports, secret: b.node.secret });
    const session = cp.webcast?.phase === 'live' ? cp.webcast.session : '';
    const v2 = await viewer(b.node.base);
    await v2.next('webcast', (m) => m.webcast.phase === 'live' && m.webcast.session === session, 5000);
    expect(readdirSync(b.dataDir).filter((f) => f.startsWith('questions-')).length).toBe(archivedBefore + 1);
    await waitFor(() => !publicTexts(v2).includes('asked before the outage') && !cp.questions.some((q) => q.text === 'asked before the outage'), 3000, 'old question gone');
  });
});

describe('questions with no presenter, and with no presenter token', () => {
  let dir: string;
  let lonely: NodeProcess;
  let closed: NodeProcess;
  const token = randomBytes(24).toString('hex');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-webcast-'));
    [lonely, closed] = await Promise.all([
      startNode({ env: { TANDEM_NODE_ID: 'lonely', TANDEM_CONTROL_TOKEN: token, TANDEM_CONTROL_DIR: path.join(dir, 'lonely') } }),
      startNode({ env: { TANDEM_NODE_ID: 'closed' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([lonely?.stop(), closed?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the question is kept while no presenter is connected, and the presenter that connects gets it', async () => {
    const v = await viewer(lonely.base);
    v.send({ type: 'qa.ask', id: qid('while-alone'), text: 'anyone there?' });
    const ack = await v.next('qa.asked');
    expect(ack.kept).toBe(true);
    const late = plane();
    late.setServers([{ id: 'lonely', url: 'rtmp://127.0.0.1/live/x', controlUrl: lonely.base, controlToken: token }]);
    await late.connect(3000);
    await waitFor(() => late.questions.some((q) => q.text === 'anyone there?'), 3000, 'kept question reaches the presenter');
  });

  it('a node without a presenter token says questions are closed, and refuses one in those words', async () => {
    const v = await viewer(closed.base);
    expect(await v.next('webcast')).toMatchObject({ webcast: { phase: 'idle', questions: 'closed' } });
    v.send({ type: 'qa.ask', id: qid('nobody-home'), text: 'hello?' });
    const err = await v.next('error', (m) => m.ref === qid('nobody-home'));
    expect(err).toMatchObject({ code: 'forbidden', message: QUESTIONS_CLOSED });
    expect(existsSync(path.join(dir, 'closed'))).toBe(false);
  });
});

describe('the question cap is per webcast', () => {
  it('a node full from its last session (kept across a restart) takes questions again once a new webcast begins', async () => {
    // A state folder as a full session leaves it: MAX_QUESTIONS_PER_NODE questions, replayed on start.
    const full = await startControlCluster(1, {
      prepare: (d) => {
        const lines = Array.from({ length: MAX_QUESTIONS_PER_NODE }, (_, i) => JSON.stringify({ t: 'q', q: { id: qid(`old-${i}`), text: `old ${i}`, askedAt: 1, votes: 0 } }));
        writeFileSync(path.join(d, 'questions.jsonl'), lines.join('\n') + '\n', { mode: 0o600 });
      },
    });
    try {
      const n = full.nodes[0]!;
      const v = await viewer(n.node.base);
      v.send({ type: 'qa.ask', id: qid('one-too-many'), text: 'is there room?' });
      expect(await v.next('error', (m) => m.ref === qid('one-too-many'))).toMatchObject({ code: 'full' });

      const p = plane();
      p.setServers([n.server]);
      await p.connect(3000);
      expect((await p.beginWebcast()).map((r) => r.ok)).toEqual([true]);
      const v2 = await viewer(n.node.base);
      v2.send({ type: 'qa.ask', id: qid('new-session'), text: 'room now?' });
      expect(await v2.next('qa.asked', (m) => m.question.id === qid('new-session'))).toMatchObject({ question: { text: 'room now?' } });
      const archived = readdirSync(n.dataDir).filter((f) => f.startsWith('questions-'));
      expect(archived).toHaveLength(1);
      expect(readFileSync(path.join(n.dataDir, archived[0]!), 'utf8').split('\n').filter(Boolean)).toHaveLength(MAX_QUESTIONS_PER_NODE);
    } finally {
      await full.stop();
    }
  });
});
