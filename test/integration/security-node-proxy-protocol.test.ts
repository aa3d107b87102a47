// Issue 11: the client address behind a balancer comes from the PROXY protocol, read only from a
// --trusted-proxy peer. Through the real HAProxy running deploy/haproxy.cfg (send-proxy-v2), 50
// control sockets from one client address get that address's quota and no more, and a second
// client address (127.0.0.2 and 127.0.0.3 are both loopback sources) is counted apart. A v1 header
// sent straight to a trusting node counts the address it names; from an untrusted peer a header is
// not read, and the node answers it as the bad HTTP it is.
import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHaproxy, type HaproxyProcess } from '../support/node-haproxy.js';
import { startNode, type NodeProcess } from '../support/node-process.js';

const PER_ADDRESS = 5;
let trusting: NodeProcess;
let untrusting: NodeProcess;
let lb: HaproxyProcess;
const held: WebSocket[] = [];

beforeAll(async () => {
  const limits = { TANDEM_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS) };
  [trusting, untrusting] = await Promise.all([
    startNode({ env: { ...limits, TANDEM_NODE_ID: 'node-1', TANDEM_TRUSTED_PROXY: '127.0.0.1' } }),
    startNode({ env: { ...limits, TANDEM_NODE_ID: 'node-2' } }),
  ]);
  // One node behind both server lines: every connection reaches the trusting node.
  lb = await startHaproxy([`127.0.0.1:${trusting.httpPort}`, `127.0.0.1:${trusting.httpPort}`]);
});

afterAll(async () => {
  for (const ws of held) ws.terminate();
  await lb?.stop();
  await Promise.all([trusting?.stop(), untrusting?.stop()]);
});

interface OpenVia {
  /** The local source address of the client's socket. */
  from?: string;
  /** Bytes written before the HTTP request: a PROXY header the client sends itself. */
  prefix?: string;
}

/** A viewer's control socket to `port`: the socket when open, the HTTP status when refused, 0 when cut. */
function openControlSocket(port: number, o: OpenVia = {}): Promise<WebSocket | number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/control`, {
    handshakeTimeout: 10_000,
    ...(o.from ? { localAddress: o.from } : {}),
    ...(o.prefix
      ? {
          createConnection: (opts: net.NetConnectOpts) => {
            const s = net.connect(opts);
            s.write(o.prefix!);
            return s;
          },
        }
      : {}),
  } as WebSocket.ClientOptions);
  return new Promise((resolve) => {
    ws.once('open', () => {
      held.push(ws);
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
}

async function openMany(n: number, port: number, o: OpenVia): Promise<{ open: number; refused: number[] }> {
  const results = await Promise.all(Array.from({ length: n }, () => openControlSocket(port, o)));
  return { open: results.filter((r) => r instanceof WebSocket).length, refused: results.filter((r): r is number => typeof r === 'number') };
}

describe('PROXY protocol on the node HTTP port', () => {
  it('through HAProxy (send-proxy-v2), 50 sockets from one client get its quota and another client is counted apart', async () => {
    const first = await openMany(50, lb.port, { from: '127.0.0.2' });
    expect(first.open).toBe(PER_ADDRESS);
    expect(first.refused).toHaveLength(50 - PER_ADDRESS);
    expect(new Set(first.refused)).toEqual(new Set([429]));
    // Not the balancer's address being counted: a second client still gets its own quota.
    const second = await openMany(PER_ADDRESS + 2, lb.port, { from: '127.0.0.3' });
    expect(second.open).toBe(PER_ADDRESS);
    expect(second.refused).toEqual([429, 429]);
  });

  it('a v1 header from a trusted peer counts the client it names', async () => {
    const header = (src: string) => `PROXY TCP4 ${src} 127.0.0.1 40000 ${trusting.httpPort}\r\n`;
    const a = await openMany(PER_ADDRESS + 2, trusting.httpPort, { prefix: header('192.0.2.50') });
    expect(a.open).toBe(PER_ADDRESS);
    expect(a.refused).toEqual([429, 429]);
    const b = await openControlSocket(trusting.httpPort, { prefix: header('192.0.2.51') });
    expect(b).toBeInstanceOf(WebSocket);
  });

  it('a header from a peer that is not a trusted balancer is not read: the request is refused as bad', async () => {
    const r = await openControlSocket(untrusting.httpPort, { prefix: `PROXY TCP4 192.0.2.60 127.0.0.1 40000 ${untrusting.httpPort}\r\n` });
    expect(r).toBe(400);
    // The node serves on: a plain viewer socket opens.
    expect(await openControlSocket(untrusting.httpPort)).toBeInstanceOf(WebSocket);
  });
});
