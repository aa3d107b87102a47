// A real node with a thousand WS-FLV viewers (the viewer page's path): every viewer is handed to the
// media core (none relayed when they arrive in batches), every one keeps receiving the stream, FLV
// parsed by full viewers among them, and the node's memory grows by at most 64 KB per viewer.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsFlvViewer, type FlvViewer } from '../support/node-flv-viewer.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

const VIEWERS = 1000;
const BATCH = 50;
const MAX_KB_PER_VIEWER = 64;

interface RawViewer { socket: net.Socket; bytes: number }

let node: NodeProcess;
let pub: Publisher;
const raw: RawViewer[] = [];
const full: FlvViewer[] = [];

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}
const nodeRssKb = () => rssKb(node.proc.pid!) + rssKb(node.mediaPid());

/** A viewer that only counts bytes (as the bench's load generator does): a thousand of them stay cheap. */
function rawViewer(port: number): RawViewer {
  const v: RawViewer = { socket: net.connect({ host: '127.0.0.1', port }), bytes: 0 };
  v.socket.on('connect', () =>
    v.socket.write(
      `GET /live/main.flv HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    ),
  );
  v.socket.on('data', (d: Buffer) => (v.bytes += d.length));
  v.socket.on('error', () => v.socket.destroy());
  return v;
}

beforeAll(async () => {
  node = await startNode();
  pub = startPublisher(node.publishUrl('main'), { seconds: 120, audioOnly: true });
  await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'the stream to go live');
});

afterAll(async () => {
  raw.forEach((v) => v.socket.destroy());
  full.forEach((v) => v.close());
  await pub?.stop();
  await node?.stop();
});

describe('node at scale', () => {
  it('serves a thousand WS-FLV viewers from the media core at ≤ 64 KB each', async () => {
    const before = nodeRssKb();
    full.push(wsFlvViewer(`ws://127.0.0.1:${node.httpPort}/live/main.flv`));
    // Batches that are each served before the next: the hand-over queue never fills, so none is relayed.
    for (let b = 0; b < VIEWERS / BATCH; b++) {
      const batch = Array.from({ length: BATCH }, () => rawViewer(node.httpPort));
      raw.push(...batch);
      await waitFor(() => batch.every((v) => v.bytes > 0), 20_000, () => `batch ${b} answered (${batch.filter((v) => v.bytes > 0).length} of ${BATCH})`, 20);
    }
    full.push(wsFlvViewer(`ws://127.0.0.1:${node.httpPort}/live/main.flv`));
    await waitFor(async () => (await node.metric('tandem_viewers', { protocol: 'ws-flv' })) === VIEWERS + 2, 15_000, 'every viewer counted');
    expect(await node.metric('tandem_ws_viewer_handoffs_total', { result: 'relayed' })).toBe(0);
    expect(await node.metric('tandem_ws_viewer_handoffs_total', { result: 'adopted' })).toBe(VIEWERS + 2);

    // Every viewer keeps receiving: over a further stretch each one gets more of the 64 kbps stream.
    const mark = raw.map((v) => v.bytes);
    const since = Date.now();
    await waitFor(() => raw.every((v, i) => v.bytes - mark[i]! >= 8_000), 20_000, () => `1 s of audio more at every viewer (${raw.filter((v, i) => v.bytes - mark[i]! >= 8_000).length} of ${VIEWERS})`);
    await waitFor(() => full.every((v) => v.mediaTagsSince(since) >= 40), 20_000, 'audio tags parsed by the full viewers');
    expect(raw.every((v) => !v.socket.destroyed)).toBe(true);

    const grownKb = nodeRssKb() - before;
    expect(grownKb / (VIEWERS + 2), `node RSS grew ${grownKb} KB for ${VIEWERS + 2} viewers`).toBeLessThanOrEqual(MAX_KB_PER_VIEWER);
  });
});
