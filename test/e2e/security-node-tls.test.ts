// Issue 11: a node given --tls-key/--tls-cert serves https:// and wss:// on its HTTP port. The
// engine's control session reaches it over wss:// with a presenter token, trusting the certificate
// the way RTMPS publishing does (main/engine/rtmp/trust-store.ts: NODE_EXTRA_CA_CERTS), and a
// Chromium viewer opens the page over https:// and plays (WebSocket-FLV over wss://, relayed: a TLS
// socket cannot be handed to the media core). The refusal of a token over ws:// names wss://.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlSession, cleartextRefusal } from '../../main/engine/control/control-session.js';
import { rtmpsSecureContext, trustedCertificates } from '../../main/engine/rtmp/trust-store.js';
import type { ControlStatus } from '../../common/streaming.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

const TOKEN = 'f3a9c0d17b2e4c5a8e6f0b1d2c3a4e5f';
let dir: string;
let cert: string;
let node: NodeProcess;
let publisher: Publisher;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tandem-https-'));
  cert = path.join(dir, 'cert.pem');
  // The certificate names the address the clients use (an IP address is checked against the SAN).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', cert], { stdio: 'ignore' });
  node = await startNode({
    env: { TANDEM_NODE_ID: 'node-1', TANDEM_TLS_KEY: path.join(dir, 'key.pem'), TANDEM_TLS_CERT: cert, TANDEM_CONTROL_TOKEN: TOKEN },
  });
  publisher = startPublisher(node.publishUrl('main'), { seconds: 90 });
  // Plain http:// on the same port still answers (balancers' health checks, metrics scrapers).
  await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 20_000, 'live');
});

afterAll(async () => {
  await browser?.close();
  await publisher?.stop();
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sessionStatus(session: ControlSession, want: ControlStatus['state'], timeoutMs: number): Promise<ControlStatus> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`control session not ${want} within ${timeoutMs} ms: ${JSON.stringify(session.status)}`)), timeoutMs);
    const check = (s: ControlStatus) => {
      if (s.state !== want) return;
      clearTimeout(t);
      sub.dispose();
      resolve(s);
    };
    const sub = session.onStatus(check);
    check(session.status);
  });
}

describe('HTTPS and WSS on the node HTTP port', () => {
  it('refuses a token over ws:// to a remote host naming wss:// as the way', () => {
    expect(cleartextRefusal('ws://node.example:8080/control')).toMatch(/unencrypted ws:\/\/: use a wss:\/\//);
    expect(cleartextRefusal(`wss://node.example:8080/control`)).toBeNull();
  });

  it('the engine control session works over wss:// with a presenter token, trusting the certificate like RTMPS does', async () => {
    const url = `wss://127.0.0.1:${node.httpPort}/control`;
    // The engine's default trust (system roots) does not know a self-signed certificate: refused.
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(url, { secureContext: rtmpsSecureContext(), handshakeTimeout: 5000 } as WebSocket.ClientOptions);
      ws.on('open', () => resolve('open'));
      ws.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    // Trusted as RTMPS trusts a certificate an operator adds: NODE_EXTRA_CA_CERTS, in the one trust store.
    const secureContext = tls.createSecureContext({ ca: trustedCertificates({ NODE_EXTRA_CA_CERTS: cert }) });
    const session = new ControlSession({ id: 'node-1', url, token: TOKEN, logger: silentLogger, resync: () => [], secureContext });
    try {
      session.start();
      // 'connected' comes only with the node's welcome to a presenter whose token it accepted.
      await sessionStatus(session, 'connected', 10_000);
    } finally {
      session.dispose();
    }
  });

  it('Chromium opens the viewer page over https:// and plays', async () => {
    browser = await launchChromium(['--ignore-certificate-errors']);
    const page = await browser.context.newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`https://127.0.0.1:${node.httpPort}/`);
    expect(page.url()).toMatch(/^https:\/\//);
    await waitPage(page, `document.documentElement.dataset.state === 'live'`, 30_000, 'live over https');
    // The page's control socket (Q&A) connected too, over wss:// to this node.
    await waitPage(page, `document.getElementById('interaction')?.dataset.controlNode === 'node-1'`, 20_000, 'viewer control connected over wss');
    const t0 = (await page.evaluate(`document.getElementById('video').currentTime`)) as number;
    await waitPage(page, `document.getElementById('video').currentTime > ${t0 + 1.5}`, 15_000, 'the video time advancing');
    // The stream and the control socket both went over TLS.
    expect(sockets.length).toBeGreaterThan(0);
    for (const u of sockets) expect(u).toMatch(/^wss:\/\/127\.0\.0\.1:/);
    await page.screenshot({ path: 'test/artifacts/security-node-tls-viewer.png' });
  });
});
