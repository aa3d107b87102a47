// Issue 11: the RTMP port also takes a PROXY protocol header, from a --trusted-proxy peer only (a
// TCP balancer in front of ingest). A relay that puts a v2 header before ffmpeg's RTMP bytes gets a
// signed publish live on a node that trusts it; on a node that does not, the header is not read,
// the RTMP handshake fails and nothing goes live.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPublishUrl } from '../../common/publish-auth.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

let trusting: NodeProcess;
let untrusting: NodeProcess;
const relays: net.Server[] = [];
const publishers: Publisher[] = [];

beforeAll(async () => {
  [trusting, untrusting] = await Promise.all([
    startNode({ env: { TANDEM_NODE_ID: 'node-1', TANDEM_TRUSTED_PROXY: '127.0.0.1' } }),
    startNode({ env: { TANDEM_NODE_ID: 'node-2' } }),
  ]);
});

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  for (const r of relays) r.close();
  await Promise.all([trusting?.stop(), untrusting?.stop()]);
});

/** PROXY v2, PROXY command, TCP over IPv4: client 192.0.2.10:40000 to the node's port. */
function v2Header(dstPort: number): Buffer {
  const body = Buffer.alloc(12);
  Buffer.from([192, 0, 2, 10, 127, 0, 0, 1]).copy(body, 0);
  body.writeUInt16BE(40000, 8);
  body.writeUInt16BE(dstPort, 10);
  const head = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 12]);
  return Buffer.concat([head, body]);
}

/** A TCP balancer stand-in on loopback: each connection gets the header, then the client's bytes. */
async function relayTo(port: number): Promise<number> {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    upstream.write(v2Header(port));
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  relays.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as net.AddressInfo).port;
}

describe('PROXY protocol on the RTMP port', () => {
  it('a trusted balancer header is removed and the signed publish goes live', async () => {
    const port = await relayTo(trusting.rtmpPort);
    const url = signPublishUrl({ base: `rtmp://127.0.0.1:${port}`, stream: 'main', secret: trusting.secret, ttlSeconds: 600 });
    publishers.push(startPublisher(url, { seconds: 30, audioOnly: true }));
    await waitFor(async () => (await trusting.metric('tandem_live_streams')) === 1, 20_000, 'the publish through the PROXY relay to go live');
  });

  it('from a peer that is not trusted the header is not read: the publish fails and nothing is live', async () => {
    const port = await relayTo(untrusting.rtmpPort);
    const url = signPublishUrl({ base: `rtmp://127.0.0.1:${port}`, stream: 'main', secret: untrusting.secret, ttlSeconds: 600 });
    const p = startPublisher(url, { seconds: 30, audioOnly: true });
    publishers.push(p);
    // The node does not read the header: the RTMP bytes arrive shifted and the publish never
    // starts. ffmpeg may hang rather than exit, so the wait is bounded: 10 s, where the trusted
    // case above goes live in about one.
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([p.exited.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), 10_000)))]);
    clearTimeout(timer);
    expect(await untrusting.metric('tandem_live_streams')).toBe(0);
    if (ended) expect(await p.exited).not.toBe(0);
    await p.stop();
  });
});
