// Health and metrics on a real node: /readyz follows the media core (frozen, killed, restarted),
// optionally waits for a live stream, and /metrics counts viewers by protocol as they come and go.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFlvViewer, wsFlvViewer, type FlvViewer } from '../support/node-flv-viewer.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

let node: NodeProcess;
const cleanup: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  node = await startNode();
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  await node?.stop();
});

async function ready(n: NodeProcess): Promise<number> {
  return (await fetch(`${n.base}/readyz`)).status;
}

describe('node health', () => {
  it('answers /healthz and /readyz while the media core is up', async () => {
    const h = await fetch(`${node.base}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok' });
    expect(await ready(node)).toBe(200);
  });

  it('turns unready when the media core is frozen or killed, and ready again when it is back', async () => {
    const pid = node.mediaPid();
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor(async () => (await ready(node)) === 503, 5000, '/readyz to report a frozen media core');
      expect(await (await fetch(`${node.base}/healthz`)).status).toBe(200); // the process itself is alive
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => (await ready(node)) === 200, 5000, '/readyz after SIGCONT');

    process.kill(node.mediaPid(), 'SIGKILL');
    await waitFor(async () => (await ready(node)) === 503, 3000, '/readyz to report a dead media core');
    await waitFor(async () => (await ready(node)) === 200, 20_000, 'the media core to be restarted');
    expect(node.mediaPid()).not.toBe(pid);
    expect(await node.metric('tandem_media_core_restarts_total')).toBe(1);
    expect(await node.metric('tandem_media_core_up')).toBe(1);
  });

  it('is unready when the media core dies while a readiness check waits for its answer', async () => {
    await waitFor(async () => (await ready(node)) === 200, 20_000, 'a ready node');
    const pid = node.mediaPid();
    // Frozen: its listener still accepts TCP (the kernel does that) but the IPC ping stays unanswered.
    process.kill(pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 300)); // past the /readyz cache
    try {
      const pending = fetch(`${node.base}/readyz`);
      // Time for the check to reach the frozen core; nothing outside the node shows that it has.
      await new Promise((r) => setTimeout(r, 200));
      process.kill(pid, 'SIGKILL'); // exits with the ping still pending
      const res = await pending;
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ready: false, reason: 'media-core-down' });
    } finally {
      await waitFor(async () => (await ready(node)) === 200, 20_000, 'the media core to be restarted');
    }
  });

  it('counts viewers by protocol in /metrics as they connect and leave', async () => {
    const pub: Publisher = startPublisher(node.publishUrl('main'), { seconds: 40 });
    cleanup.push(() => pub.stop());
    await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'the stream to go live');
    const url = `127.0.0.1:${node.httpPort}/live/main.flv`;
    const ws: FlvViewer[] = [1, 2, 3].map(() => wsFlvViewer(`ws://${url}`));
    const http: FlvViewer[] = [1, 2].map(() => httpFlvViewer(`http://${url}`));
    const all = [...ws, ...http];
    cleanup.push(() => all.forEach((v) => v.close()));
    await waitFor(() => all.every((v) => v.mediaTagsSince(0) > 0), 10_000, 'media at every viewer');
    const counts = async () => [
      await node.metric('tandem_viewers', { protocol: 'ws-flv' }),
      await node.metric('tandem_viewers', { protocol: 'http-flv' }),
      await node.metric('tandem_viewers', { protocol: 'rtmp' }),
    ];
    await waitFor(async () => (await counts()).join() === '3,2,0', 5000, 'viewer counts 3,2,0');
    ws[0]!.close();
    http[0]!.close();
    await waitFor(async () => (await counts()).join() === '2,1,0', 5000, 'viewer counts 2,1,0');
    all.forEach((v) => v.close());
    await waitFor(async () => (await counts()).join() === '0,0,0', 5000, 'viewer counts 0,0,0');
    expect(await node.metric('tandem_publishers')).toBe(1);
    expect(await node.metric('tandem_bytes_sent_total')).toBeGreaterThan(10_000);
    expect(await node.metric('tandem_bytes_received_total')).toBeGreaterThan(10_000);
    await pub.stop();
  });

  it('with --ready-requires-live, is ready only while the stream is live', async () => {
    const live = await startNode({ args: ['--ready-requires-live'] });
    cleanup.push(() => live.stop());
    const body = await (await fetch(`${live.base}/readyz`)).json();
    expect(body).toMatchObject({ ready: false, reason: 'not-live' });
    const pub = startPublisher(live.publishUrl('main'), { seconds: 30 });
    cleanup.push(() => pub.stop());
    await waitFor(async () => (await ready(live)) === 200, 15_000, 'ready once live');
    await pub.stop();
    await waitFor(async () => (await ready(live)) === 503, 8000, 'unready once the publisher is gone');
  });
});
