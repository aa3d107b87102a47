// A connection storm (a failed node's viewers all arriving at once): every WS-FLV viewer is served,
// whether handed to the media core or relayed by the supervisor, and counted once; SIGTERM then
// stops the node cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsFlvViewer, type FlvViewer } from '../support/node-flv-viewer.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

const STORM = 300;
let node: NodeProcess;
let pub: Publisher;
const viewers: FlvViewer[] = [];

beforeAll(async () => {
  node = await startNode();
  pub = startPublisher(node.publishUrl('main'), { seconds: 40, audioOnly: true });
  await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'the stream to go live');
});

afterAll(async () => {
  viewers.forEach((v) => v.close());
  await pub?.stop();
  await node?.stop();
});

describe('node under a connection storm', () => {
  it('serves and counts every viewer of a burst, then stops cleanly on SIGTERM', async () => {
    for (let i = 0; i < STORM; i++) viewers.push(wsFlvViewer(`ws://127.0.0.1:${node.httpPort}/live/main.flv`));
    const withMedia = () => viewers.filter((v) => v.mediaTagsSince(0) > 0).length;
    await waitFor(() => withMedia() === STORM, 30_000, () => `media at every viewer of the burst (${withMedia()} of ${STORM} have some, ${viewers.filter((v) => v.isClosed()).length} closed)`);
    await waitFor(async () => (await node.metric('tandem_viewers', { protocol: 'ws-flv' })) === STORM, 5000, 'all viewers counted');
    const adopted = await node.metric('tandem_ws_viewer_handoffs_total', { result: 'adopted' });
    const relayed = await node.metric('tandem_ws_viewer_handoffs_total', { result: 'relayed' });
    expect(adopted + relayed).toBe(STORM);
    const since = Date.now();
    await waitFor(() => viewers.every((v) => v.mediaTagsSince(since) > 0), 5000, 'media still flowing to all');

    const exited = new Promise<number | null>((r) => node.proc.once('exit', (code) => r(code)));
    node.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(() => viewers.every((v) => v.isClosed()), 5000, 'viewers closed by the shutdown');
  });
});
