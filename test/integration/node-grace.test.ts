// Viewer grace on a real node: viewers stay connected through a publisher gap and get media again
// when it returns; past the grace period they are let go so their players can fail over.
import { afterAll, describe, expect, it } from 'vitest';
import { wsFlvViewer, type FlvViewer } from '../support/node-flv-viewer.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

const nodes: NodeProcess[] = [];
const publishers: Publisher[] = [];
const viewers: FlvViewer[] = [];

afterAll(async () => {
  viewers.forEach((v) => v.close());
  await Promise.all(publishers.map((p) => p.stop()));
  await Promise.all(nodes.map((n) => n.stop()));
});

async function liveNodeWithViewer(env: Record<string, string> = {}): Promise<{ node: NodeProcess; pub: Publisher; viewer: FlvViewer }> {
  const node = await startNode({ env });
  nodes.push(node);
  const pub = startPublisher(node.publishUrl('main'), { seconds: 40 });
  publishers.push(pub);
  await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'the stream to go live');
  const viewer = wsFlvViewer(`ws://127.0.0.1:${node.httpPort}/live/main.flv`);
  viewers.push(viewer);
  await waitFor(() => viewer.videoTagsSince(0) > 10, 10_000, 'frames at the viewer');
  return { node, pub, viewer };
}

describe('node viewer grace', () => {
  it('keeps a WS-FLV viewer connected through a 5 s publisher gap and delivers frames afterwards', async () => {
    const { node, pub, viewer } = await liveNodeWithViewer();
    await pub.stop(); // the publisher's connection is gone, not just silent
    await waitFor(async () => (await node.metric('tandem_publishers')) === 0, 5000, 'the publisher to be gone');
    // The case under test: a 5 s gap with no publisher.
    await new Promise((r) => setTimeout(r, 5000));
    expect(viewer.isClosed()).toBe(false);
    const back = Date.now();
    expect(viewer.mediaTagsSince(back - 3000)).toBe(0); // the gap was real

    const again = startPublisher(node.publishUrl('main'), { seconds: 30 });
    publishers.push(again);
    await waitFor(() => viewer.videoTagsSince(back) > 10, 10_000, 'frames after the gap');
    expect(viewer.isClosed()).toBe(false);
    expect(await node.metric('tandem_viewers', { protocol: 'ws-flv' })).toBe(1);
  });

  it('lets viewers go once the gap outlasts the grace period', async () => {
    const { node, pub, viewer } = await liveNodeWithViewer({ TANDEM_GRACE_MS: '2000' });
    await pub.stop();
    const gapFrom = viewer.lastMessageAt();
    await waitFor(() => viewer.isClosed(), 8000, 'the viewer to be released');
    const after = viewer.closedAt()! - gapFrom;
    expect(after).toBeGreaterThanOrEqual(1800);
    expect(after).toBeLessThan(6000);
    expect(await node.metric('tandem_viewers_released_total')).toBe(1);
  });
});
