// Publish auth on a real node: signed publishes go live; unsigned, expired, other-path, other-secret
// and odd-name publishes are refused; the node will not start with no secret or the library default.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPublishUrl } from '../../common/publish-auth.js';
import { wsFlvViewer } from '../support/node-flv-viewer.js';
import { runNodeCommand, startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

let node: NodeProcess;
const publishers: Publisher[] = [];

beforeAll(async () => {
  node = await startNode();
});

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await node?.stop();
});

function publish(url: string, seconds = 20): Publisher {
  const p = startPublisher(url, { seconds });
  publishers.push(p);
  return p;
}

function signOf(url: string): string {
  return new URL(url.replace(/^rtmp/, 'http')).searchParams.get('sign') ?? '';
}

async function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy());
    s.write(request);
  });
}

describe('node publish auth', () => {
  it('refuses to start without a secret or with the library default secret', async () => {
    const none = await runNodeCommand(['--http-port', '1', '--rtmp-port', '2'], { TANDEM_SECRET: '' });
    expect(none.code).toBe(2);
    expect(none.output).toMatch(/No publish secret/);
    const dflt = await runNodeCommand([], { TANDEM_SECRET: ['nodemedia', '2017', 'privatekey'].join('') });
    expect(dflt.code).toBe(2);
    expect(dflt.output).toMatch(/public default/);
  });

  it('accepts a signed publish and serves it to WS-FLV viewers', async () => {
    const p = publish(node.publishUrl('main'), 12);
    await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'the stream to go live');
    const viewer = wsFlvViewer(`ws://127.0.0.1:${node.httpPort}/live/main.flv`);
    await waitFor(() => viewer.videoTagsSince(0) > 10, 10_000, 'video frames at the viewer');
    viewer.close();
    await p.stop();
    await waitFor(async () => (await node.metric('tandem_publishers')) === 0, 10_000, 'the publisher to be gone');
  });

  it('refuses unsigned, expired, other-path and other-secret publishes', async () => {
    const base = `rtmp://127.0.0.1:${node.rtmpPort}`;
    const other = signPublishUrl({ base, stream: 'other', secret: node.secret, ttlSeconds: 600 });
    const cases = {
      missing: `${base}/live/main`,
      expired: signPublishUrl({ base, stream: 'main', secret: node.secret, ttlSeconds: 60, now: Date.now() - 3_600_000 }),
      'bad-signature': `${base}/live/main?sign=${encodeURIComponent(signOf(other))}`,
      wrongSecret: signPublishUrl({ base, stream: 'main', secret: 'f'.repeat(64), ttlSeconds: 600 }),
      'bad-path': signPublishUrl({ base, stream: 'main', secret: node.secret, ttlSeconds: 600 }).replace('/live/', '/admin/'),
    };
    const started = Date.now();
    const runs = Object.values(cases).map((url) => publish(url, 15));
    const codes = await Promise.all(runs.map((p) => p.exited));
    expect(Date.now() - started).toBeLessThan(14_000); // refused, not played to the end
    for (const c of codes) expect(c).not.toBe(0);
    expect(await node.metric('tandem_publish_rejections_total', { code: 'missing' })).toBe(1);
    expect(await node.metric('tandem_publish_rejections_total', { code: 'expired' })).toBe(1);
    expect(await node.metric('tandem_publish_rejections_total', { code: 'bad-signature' })).toBe(2);
    expect(await node.metric('tandem_publish_rejections_total', { code: 'bad-path' })).toBe(1);
    expect(await node.metric('tandem_live_streams')).toBe(0);
  });

  it('refuses path traversal and odd stream names on ingest and playback', async () => {
    const base = `rtmp://127.0.0.1:${node.rtmpPort}`;
    const sign = encodeURIComponent(signOf(node.publishUrl('main')));
    const runs = [`${base}/live/..%2Fmain?sign=${sign}`, `${base}/live/ma.in?sign=${sign}`, `${base}/live/main%00?sign=${sign}`].map((u) => publish(u, 15));
    for (const c of await Promise.all(runs.map((p) => p.exited))) expect(c).not.toBe(0);
    expect(await node.metric('tandem_publishers')).toBe(0);

    for (const p of ['/live/../main.flv', '/live/ma.in.flv', '/live/%2e%2e%2fmain.flv', '/api/v1/streams', '/admin/']) {
      const res = await fetch(`${node.base}${p}`);
      expect(res.status, p).toBe(404);
    }
    expect((await fetch(`${node.base}/live/main.flv`, { method: 'POST', body: 'x' })).status).toBe(405);
    const wsPublish = await rawHttp(
      node.httpPort,
      'GET /live/main.flv HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: publisher\r\n\r\n',
    );
    expect(wsPublish).toMatch(/^HTTP\/1\.1 403/);
  });

  it('keeps secrets and signatures out of its logs', () => {
    const out = node.output();
    expect(out).toContain('publish refused');
    expect(out).not.toContain(node.secret);
    expect(out).not.toMatch(/v1\.\d+\.[A-Za-z0-9_-]{43}/);
    expect(out).not.toMatch(/sign=[^•]/);
  });
});
