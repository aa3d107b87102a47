// The media core's fan-out at scale (app/media/coalescing-websocket.ts): viewers that hold the same
// pending tags are sent one frame built once (the same bytes written to each socket), a viewer that
// joins later gets its own start and then the shared stream, every frame size a ws client parses,
// and the flush interval grows with the audience up to its cap.
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CoalescingWebSocket, flushIntervalMs } from '../../app/media/coalescing-websocket.js';
import { waitFor } from '../support/wait-for.js';

let wss: WebSocketServer | undefined;
const clients: WebSocket[] = [];
afterEach(() => {
  clients.splice(0).forEach((c) => c.terminate());
  wss?.close();
});

interface Viewer { server: CoalescingWebSocket; got: Buffer[]; written: Buffer[]; bytes(): Buffer }

async function listen(): Promise<number> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: CoalescingWebSocket });
  await once(wss, 'listening');
  return (wss.address() as AddressInfo).port;
}

/** A viewer served the media core's way: frames written to its socket directly, writes recorded. */
async function viewer(port: number): Promise<Viewer> {
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  clients.push(client);
  const [server, req] = (await once(wss!, 'connection')) as [CoalescingWebSocket, { socket: Socket }];
  await once(client, 'open');
  const written: Buffer[] = [];
  const write = req.socket.write.bind(req.socket) as (b: Buffer) => boolean;
  req.socket.write = ((b: Buffer) => {
    written.push(b);
    return write(b);
  }) as typeof req.socket.write;
  server.useSocket(req.socket);
  const got: Buffer[] = [];
  client.on('message', (d: Buffer) => got.push(d));
  return { server, got, written, bytes: () => Buffer.concat(got) };
}

const tag = (n: number, size = 4) => Buffer.alloc(size, n);

describe('coalescing WebSocket fan-out', () => {
  it('builds one frame for viewers with the same pending tags and writes those bytes to each', async () => {
    const port = await listen();
    const viewers = [await viewer(port), await viewer(port), await viewer(port)];
    const tags = [tag(1), tag(2), tag(3)];
    // As the library broadcasts: each tag to every viewer in turn, the same Buffer objects.
    for (const t of tags) for (const v of viewers) v.server.send(t);
    await waitFor(() => viewers.every((v) => v.got.length === 1), 5000, 'one message at each viewer');
    const expected = Buffer.concat(tags);
    for (const v of viewers) expect(v.bytes().equals(expected)).toBe(true);
    expect(viewers.map((v) => v.written.length)).toEqual([1, 1, 1]);
    // One frame, built once: the very same buffer went to every socket.
    expect(viewers[1]!.written[0]).toBe(viewers[0]!.written[0]);
    expect(viewers[2]!.written[0]).toBe(viewers[0]!.written[0]);
  });

  it('sends a late joiner its own start, then the shared stream, all in order', async () => {
    const port = await listen();
    const a = await viewer(port);
    const b = await viewer(port);
    const head = tag(9, 13);
    a.server.send(tag(1));
    b.server.send(head); // b joins: the library sends it the header first
    for (const t of [tag(2), tag(3)]) for (const v of [a, b]) v.server.send(t);
    await waitFor(() => a.got.length === 1 && b.got.length === 1, 5000, 'a message at each viewer');
    expect(a.bytes().equals(Buffer.concat([tag(1), tag(2), tag(3)]))).toBe(true);
    expect(b.bytes().equals(Buffer.concat([head, tag(2), tag(3)]))).toBe(true);
    for (const t of [tag(4), tag(5)]) for (const v of [a, b]) v.server.send(t);
    await waitFor(() => a.got.length === 2 && b.got.length === 2, 5000, 'a second message at each viewer');
    expect(b.written[1]).toBe(a.written[1]);
    expect(a.got[1]!.equals(Buffer.concat([tag(4), tag(5)]))).toBe(true);
  });

  it('frames every payload size a ws client reads: 7-bit, 16-bit and 64-bit lengths', async () => {
    const port = await listen();
    const v = await viewer(port);
    const sizes = [125, 126, 65_535, 65_536, 200_000];
    for (const [i, size] of sizes.entries()) {
      v.server.send(tag(i + 1, size));
      v.server.flush();
    }
    await waitFor(() => v.got.length === sizes.length, 5000, () => `${sizes.length} messages (got ${v.got.length})`);
    expect(v.got.map((m) => m.length)).toEqual(sizes);
    for (const [i, m] of v.got.entries()) expect(m.every((byte) => byte === i + 1)).toBe(true);
  });

  it('flushes every 40 ms up to 1,000 viewers, 40 ms more per 1,000, at most 200 ms', () => {
    expect([1, 1000, 1001, 2000, 2001, 4000, 5000, 8000, 100_000].map(flushIntervalMs)).toEqual([40, 40, 80, 80, 120, 160, 200, 200, 200]);
  });
});
