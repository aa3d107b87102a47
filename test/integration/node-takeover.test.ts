// Publisher takeover on a real node: after a network cut the old publisher's TCP session lingers;
// a correctly signed new publisher replaces it once it has sent nothing for 2 s, and not before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsFlvViewer, type FlvViewer } from '../support/node-flv-viewer.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

let node: NodeProcess;
const publishers: Publisher[] = [];
let viewer: FlvViewer | undefined;

beforeAll(async () => {
  node = await startNode();
});

afterAll(async () => {
  viewer?.close();
  await Promise.all(publishers.map((p) => p.stop()));
  await node?.stop();
});

function publish(seconds = 45): Publisher {
  const p = startPublisher(node.publishUrl('main'), { seconds });
  publishers.push(p);
  return p;
}

describe('node publisher takeover', () => {
  it('keeps an active publisher, and replaces a frozen one with a new signed publisher within 3 s', async () => {
    const a = publish();
    await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'publisher A live');
    viewer = wsFlvViewer(`ws://127.0.0.1:${node.httpPort}/live/main.flv`);
    await waitFor(() => viewer!.videoTagsSince(0) > 10, 10_000, 'frames from A');

    // A second publisher while A is sending is refused: nobody hijacks a healthy stream.
    const intruder = publish(10);
    expect(await intruder.exited).not.toBe(0);
    expect(await node.metric('tandem_publish_rejections_total', { code: 'stream-busy' })).toBe(1);
    const afterIntruder = Date.now();
    await waitFor(() => viewer!.videoTagsSince(afterIntruder) > 10, 5000, 'A still reaching the viewer');

    // Freeze A: its TCP session stays open but carries nothing, like a cut network.
    process.kill(a.proc.pid!, 'SIGSTOP');
    // The case under test: A silent for longer than the node's takeover idle time (2 s).
    await new Promise((r) => setTimeout(r, 2200));
    expect(await node.metric('tandem_publishers')).toBe(1); // A lingers

    const started = Date.now();
    publish();
    await waitFor(() => viewer!.videoTagsSince(started) > 5, 3000, "B's frames at the viewer", 50);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThanOrEqual(3000);
    expect(await node.metric('tandem_publish_takeovers_total')).toBe(1);
    expect(viewer!.isClosed()).toBe(false);
    await waitFor(async () => (await node.metric('tandem_publishers')) === 1, 3000, 'exactly one publisher (B)');
  });
});
