// Real HAProxy (deploy/haproxy.cfg) in front of two real nodes: new viewers are spread by leastconn;
// when a node dies, HAProxy marks it down on /readyz and new viewers land on the survivor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsFlvViewer, type FlvViewer } from '../support/node-flv-viewer.js';
import { startHaproxy, type HaproxyProcess } from '../support/node-haproxy.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

let lb: HaproxyProcess;
const nodes: NodeProcess[] = [];
const publishers: Publisher[] = [];
const viewers: FlvViewer[] = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    // The balancer (deploy/haproxy.cfg) speaks the PROXY protocol: the nodes trust it, as deployed.
    const node = await startNode({ env: { TANDEM_NODE_ID: `node-${i + 1}`, TANDEM_TRUSTED_PROXY: '127.0.0.1' } });
    nodes.push(node);
    publishers.push(startPublisher(node.publishUrl('main'), { seconds: 60, audioOnly: true }));
  }
  for (const n of nodes) await waitFor(async () => (await n.metric('tandem_live_streams')) === 1, 15_000, `${n.base} live`);
  lb = await startHaproxy([`127.0.0.1:${nodes[0]!.httpPort}`, `127.0.0.1:${nodes[1]!.httpPort}`]);
});

afterAll(async () => {
  viewers.forEach((v) => v.close());
  await lb?.stop();
  await Promise.all(publishers.map((p) => p.stop()));
  await Promise.all(nodes.map((n) => n.stop()));
});

async function viewerThroughLb(): Promise<FlvViewer> {
  const v = wsFlvViewer(`ws://127.0.0.1:${lb.port}/live/main.flv`);
  viewers.push(v);
  await waitFor(() => v.mediaTagsSince(0) > 0, 10_000, 'media through HAProxy');
  return v;
}

const wsViewers = (n: NodeProcess) => n.metric('tandem_viewers', { protocol: 'ws-flv' });

describe('HAProxy in front of two nodes', () => {
  it('spreads new viewers by leastconn', async () => {
    const [n1, n2] = nodes as [NodeProcess, NodeProcess];
    // Connect one at a time and see which node each viewer landed on.
    const on = new Map<FlvViewer, NodeProcess>();
    for (let i = 0; i < 4; i++) {
      const before = [await wsViewers(n1), await wsViewers(n2)];
      const v = await viewerThroughLb();
      const node = await waitFor(async () => {
        if ((await wsViewers(n1)) > before[0]!) return n1;
        if ((await wsViewers(n2)) > before[1]!) return n2;
        return null;
      }, 5000, 'the new viewer to be counted');
      on.set(v, node);
    }
    expect([await wsViewers(n1), await wsViewers(n2)]).toEqual([2, 2]);
    // Empty node 1: leastconn must send the next two viewers there (round-robin would split them).
    for (const [v, n] of on) if (n === n1) v.close();
    await waitFor(async () => (await wsViewers(n1)) === 0, 5000, 'node 1 to be empty');
    await viewerThroughLb();
    await viewerThroughLb();
    await waitFor(async () => (await wsViewers(n1)) === 2, 5000, 'both new viewers on node 1');
    expect(await wsViewers(n2)).toBe(2);
  });

  it('marks a killed node down and sends new viewers to the survivor', async () => {
    const [dead, survivor] = nodes as [NodeProcess, NodeProcess];
    dead.proc.kill('SIGKILL');
    await waitFor(() => /node1 is DOWN/.test(lb.output()), 10_000, 'HAProxy to mark node1 down');
    const before = await wsViewers(survivor);
    const fresh: FlvViewer[] = [];
    for (let i = 0; i < 4; i++) fresh.push(await viewerThroughLb());
    await waitFor(async () => (await wsViewers(survivor)) === before + 4, 5000, 'all new viewers on the survivor');
    expect(fresh.every((v) => !v.isClosed())).toBe(true);
  });
});
