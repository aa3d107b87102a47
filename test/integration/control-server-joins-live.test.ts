// A Tandem node added (or re-pointed) while the webcast runs gets its control session at once:
// the running webcast's phase reaches its viewers, its viewers' questions reach the presenter, and a
// removed node's session closes — without touching the other node's session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { openControl, qid, type ControlClient } from '../support/control-client.js';
import { startControlCluster, type ControlNode } from '../support/control-cluster.js';
import { waitFor } from '../support/wait-for.js';

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let nodes: ControlNode[];
let cp: ControlPlane;
const clients: ControlClient[] = [];

beforeAll(async () => {
  cluster = await startControlCluster(2);
  nodes = cluster.nodes;
  cp = new ControlPlane({ logger: createLogger('error'), statsEveryMs: 0 });
  cp.setServers([nodes[0]!.server]);
  await cp.connect(3000);
  await cp.beginWebcast();
});

afterAll(async () => {
  for (const c of clients) c.close();
  cp?.dispose();
  await cluster?.stop();
});

describe('a node that joins a live webcast', () => {
  it('gets its control session at once: the webcast reaches its viewers and their questions reach the presenter', async () => {
    const viewer = await openControl(nodes[1]!.node.base);
    clients.push(viewer);
    expect(await viewer.next('webcast')).toMatchObject({ webcast: { phase: 'idle' } });
    expect(cp.statusOf(nodes[1]!.server.id).state).toBe('none');

    cp.addServer(nodes[1]!.server);
    await waitFor(() => cp.statusOf(nodes[1]!.server.id).state === 'connected', { timeoutMs: 5000, what: 'the added node connected' });
    expect(cp.statusOf(nodes[0]!.server.id).state).toBe('connected');
    const live = cp.webcast;
    expect(live?.phase).toBe('live');
    expect(await viewer.next('webcast', (m) => m.webcast.phase === 'live')).toMatchObject({ webcast: { phase: 'live', session: live?.phase === 'live' ? live.session : '' } });

    const id = qid('joined');
    viewer.send({ type: 'qa.ask', id, text: 'Asked on the node that joined' });
    await waitFor(() => cp.questions.some((q) => q.id === id), { timeoutMs: 5000, what: 'the question merged by the presenter' });
  });

  it('closes the session of a node removed while live, and only that one', async () => {
    cp.removeServer(nodes[1]!.server.id);
    expect(cp.statusOf(nodes[1]!.server.id).state).toBe('none');
    await waitFor(async () => (await nodes[1]!.node.metric('tandem_control_clients', { role: 'presenter' })) === 0, { timeoutMs: 5000, what: 'the node saw its presenter leave' });
    expect(cp.statusOf(nodes[0]!.server.id).state).toBe('connected');
  });
});
