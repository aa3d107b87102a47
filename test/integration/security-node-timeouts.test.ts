// Handshake and header timeouts on a real node: 100 idle RTMP sockets and 100 HTTP requests with
// half-sent headers are all cut within the configured bounds, while the viewer page still loads and
// a publisher still goes live; the defaults are 5 s (RTMP handshake) and 10 s (HTTP headers).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../app/config.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher } from '../support/node-publisher.js';

const HANDSHAKE_MS = 1500;
const HEADERS_MS = 2000;
let node: NodeProcess;

beforeAll(async () => {
  node = await startNode({ env: { TANDEM_RTMP_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_MS), TANDEM_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS) } });
});

afterAll(async () => {
  await node?.stop();
});

/** Opens a socket, writes `first`, and resolves how long after connecting the node closed it (or rejects after `limitMs`). */
function heldFor(port: number, first: string | Buffer, limitMs: number, sockets: net.Socket[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    sockets.push(s);
    let opened = 0;
    const timer = setTimeout(() => reject(new Error(`socket to port ${port} still open after ${limitMs} ms`)), limitMs);
    s.on('connect', () => {
      opened = Date.now();
      s.write(first);
    });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - opened);
    });
  });
}

describe('handshake and header timeouts', () => {
  it('cuts 100 idle RTMP sockets and 100 half-sent HTTP requests within the bounds while the node keeps serving', async () => {
    const sockets: net.Socket[] = [];
    const publisher = startPublisher(node.publishUrl(), { seconds: 30 });
    try {
      // Generous slack over each bound on a shared 2-core machine; the old behaviour was ~40 s and never for RTMP.
      const rtmp = Array.from({ length: 100 }, () => heldFor(node.rtmpPort, Buffer.from([3]), HANDSHAKE_MS + 3000, sockets));
      const http = Array.from({ length: 100 }, () => heldFor(node.httpPort, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', HEADERS_MS + 3000, sockets));
      // Meanwhile the node serves: the viewer page, and a publisher going live.
      const page = await fetch(`${node.base}/`);
      expect(page.status).toBe(200);
      await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'the publisher to go live while 200 sockets idle');
      const [rtmpHeld, httpHeld] = await Promise.all([Promise.all(rtmp), Promise.all(http)]);
      // Cut, and not before the bound (the timeout did it, not something else).
      expect(Math.min(...rtmpHeld)).toBeGreaterThanOrEqual(HANDSHAKE_MS - 100);
      expect(Math.max(...rtmpHeld)).toBeLessThan(HANDSHAKE_MS + 3000);
      expect(Math.min(...httpHeld)).toBeGreaterThanOrEqual(HEADERS_MS - 100);
      expect(Math.max(...httpHeld)).toBeLessThan(HEADERS_MS + 3000);
      // Still serving after the cut, and the publisher that completed its handshake was not cut.
      expect((await fetch(`${node.base}/`)).status).toBe(200);
      expect(await node.metric('tandem_live_streams')).toBe(1);
      expect(publisher.proc.exitCode).toBeNull();
    } finally {
      for (const s of sockets) s.destroy();
      await publisher.stop();
    }
  });

  it('defaults to 5 s for the RTMP handshake and 10 s for HTTP headers', () => {
    const c = loadNodeConfig({ argv: [], env: { TANDEM_SECRET: randomBytes(32).toString('hex') } });
    expect(c.rtmpHandshakeTimeoutMs).toBe(5000);
    expect(c.httpHeadersTimeoutMs).toBe(10_000);
    expect(c.maxRtmpConnections).toBeGreaterThan(0);
    expect(c.maxHttpConnections).toBeGreaterThan(0);
  });
});
