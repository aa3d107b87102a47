// Ids that are Object.prototype property names (`constructor`, `__proto__`, `hasOwnProperty`, …)
// match the id pattern; a viewer sending one must get a clear error from its node, and neither the
// node nor an engine session connected to it may suffer (an engine looking such an id up in a plain
// object threw an uncaught exception). A real node on loopback and the engine's ControlPlane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { openControl, qid, voterFor, type ControlClient } from '../support/control-client.js';
import { startControlCluster } from '../support/control-cluster.js';
import { waitFor } from '../support/node-process.js';

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let plane: ControlPlane;
const clients: ControlClient[] = [];
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  cluster = await startControlCluster(1);
  plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  plane.setServers(cluster.nodes.map((n) => n.server));
  const status = await plane.connect(3000);
  expect(status.get('node-a')?.state).toBe('connected');
}, 30_000);

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  for (const c of clients) c.close();
  plane?.dispose();
  await cluster?.stop();
});

describe('Q&A ids that are Object.prototype property names', () => {
  it('are refused to the viewer; the node and the engine session keep working', async () => {
    const viewer = await openControl(cluster.nodes[0]!.node.base);
    clients.push(viewer);
    const reserved = ['constructor', '__proto__', 'hasOwnProperty', 'toLocaleString'];
    for (const id of reserved) viewer.send({ type: 'qa.ask', id, text: `Is ${id} a question?` });
    const errors = await waitFor(() => {
      const e = viewer.messages.filter((m) => m.type === 'error');
      return e.length >= reserved.length ? e : null;
    }, 3000, 'a refusal for every reserved id');
    for (const e of errors) expect(e).toMatchObject({ type: 'error', code: 'bad-message', message: expect.stringContaining('reserved') });
    expect(viewer.messages.some((m) => m.type === 'qa.asked')).toBe(false);

    // The same viewer asks a real question and votes; a reserved voter id is refused too.
    const id = qid('reserved-ok');
    viewer.send({ type: 'qa.ask', id, text: 'A normal question' });
    await viewer.next('qa.asked', (m) => m.question.id === id);
    viewer.send({ type: 'qa.vote', questionId: id, voterId: '__proto__' });
    await viewer.next('error', (m) => m.message.includes('reserved'));
    viewer.send({ type: 'qa.vote', questionId: id, voterId: voterFor(cluster.nodes[0]!.node.secret, 'voter-good-0001') });
    await viewer.next('qa.votes', (m) => m.questionId === id && m.votes === 1);

    // The engine merged the real question and the one real vote, and nothing else; still connected.
    await waitFor(() => plane.questions.find((q) => q.id === id)?.votes === 1, 3000, 'the engine to count the vote');
    expect(plane.questions.map((q) => q.id)).toEqual([id]);
    expect(plane.statusOf('node-a').state).toBe('connected');
    expect((await plane.callRemote('getStats'))[0]).toMatchObject({ ok: true });
    // A second viewer is served as usual: the node is unaffected.
    const other = await openControl(cluster.nodes[0]!.node.base);
    clients.push(other);
    await other.next('so.sync', (m) => m.name === 'qa');
    expect(uncaught).toEqual([]);
  });
});
