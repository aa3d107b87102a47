import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CoalescingWebSocket } from '../../app/media/coalescing-websocket.js';
import { waitFor } from '../support/wait-for.js';

let wss: WebSocketServer | undefined;
afterEach(() => wss?.close());

async function pair(): Promise<{ server: CoalescingWebSocket; client: WebSocket }> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: CoalescingWebSocket });
  await once(wss, 'listening');
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const [server] = (await once(wss, 'connection')) as [CoalescingWebSocket];
  await once(client, 'open');
  return { server, client };
}

describe('CoalescingWebSocket', () => {
  it('sends tags queued together as one message, bytes in order', async () => {
    const { server, client } = await pair();
    const got: Buffer[] = [];
    client.on('message', (d: Buffer) => got.push(d));
    for (let i = 0; i < 10; i++) server.send(Buffer.from([i, i]));
    // The first message holds every tag: they were not sent one by one.
    await waitFor(() => got.length >= 1, 5000, 'a message');
    expect([...got[0]!]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    client.close();
  });

  it('flushes at once when a large chunk is pending', async () => {
    const { server, client } = await pair();
    const got: Buffer[] = [];
    client.on('message', (d: Buffer) => got.push(d));
    server.send(Buffer.alloc(70 * 1024, 1));
    server.send(Buffer.from([2, 2]));
    // Flushed in send() itself: the small tag after it waits for the timer, in a message of its own.
    await waitFor(() => got.length >= 2, 5000, 'two messages');
    expect(got[0]!.length).toBe(70 * 1024);
    expect([...got[1]!]).toEqual([2, 2]);
    client.close();
  });
});
