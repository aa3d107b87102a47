// RTMPS ingest: given a key and certificate, the node terminates TLS and the signed publish goes live;
// the signature is still required over TLS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPublishUrl } from '../../common/publish-auth.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { freePort } from '../support/ports.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

let node: NodeProcess;
let rtmpsPort: number;
let dir: string;
const publishers: Publisher[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tandem-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  rtmpsPort = await freePort();
  node = await startNode({
    env: { TANDEM_RTMPS_PORT: String(rtmpsPort), TANDEM_TLS_KEY: path.join(dir, 'key.pem'), TANDEM_TLS_CERT: path.join(dir, 'cert.pem') },
  });
});

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('node RTMPS ingest', () => {
  it('accepts a signed publish over TLS and still refuses an unsigned one', async () => {
    const base = `rtmps://127.0.0.1:${rtmpsPort}`;
    const unsigned = startPublisher(`${base}/live/main`, { seconds: 10, audioOnly: true });
    publishers.push(unsigned);
    expect(await unsigned.exited).not.toBe(0);
    publishers.push(startPublisher(signPublishUrl({ base, stream: 'main', secret: node.secret, ttlSeconds: 600 }), { seconds: 20, audioOnly: true }));
    await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'the TLS publish to go live');
    expect(await node.metric('tandem_publish_rejections_total', { code: 'missing' })).toBe(1);
  });
});
