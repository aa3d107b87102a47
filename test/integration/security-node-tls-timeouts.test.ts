// Issue 11: the front door of a node with a certificate (app/http/front-door.ts) holds no socket
// longer than the HTTP headers timeout whatever a client sends: nothing at all, a TLS handshake's
// first byte only, or a plain request's first line only; and it still serves meanwhile.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type NodeProcess } from '../support/node-process.js';

const HEADERS_MS = 1000;
let dir: string;
let node: NodeProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tandem-tls-timeouts-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  node = await startNode({
    env: { TANDEM_TLS_KEY: path.join(dir, 'key.pem'), TANDEM_TLS_CERT: path.join(dir, 'cert.pem'), TANDEM_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS) },
  });
});

afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** How long after connecting the node closed a socket that sent `first` (or rejects after `limitMs`). */
function heldFor(first: Buffer | null, limitMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: node.httpPort });
    let opened = 0;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`socket still open after ${limitMs} ms`));
    }, limitMs);
    s.on('connect', () => {
      opened = Date.now();
      if (first) s.write(first);
    });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - opened);
    });
  });
}

describe('front door timeouts with TLS on', () => {
  it('cuts idle, half-handshaken and half-sent sockets within the headers timeout and keeps serving', async () => {
    const limit = HEADERS_MS + 4000; // generous on a loaded 2-core machine; without a bound they would stay open
    const held = await Promise.all([
      ...Array.from({ length: 20 }, () => heldFor(null, limit)),
      ...Array.from({ length: 20 }, () => heldFor(Buffer.from([0x16, 0x03, 0x01]), limit)),
      ...Array.from({ length: 20 }, () => heldFor(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n'), limit)),
    ]);
    // Cut by the timeout, not at once (half of it: the client sees 'connect' late on a loaded machine,
    // and Node checks header deadlines every quarter of the timeout).
    expect(Math.min(...held)).toBeGreaterThanOrEqual(HEADERS_MS / 2);
    expect(Math.max(...held)).toBeLessThan(limit);
    // Plain HTTP on the same port still answers (balancers' health checks).
    expect((await fetch(`${node.base}/healthz`)).status).toBe(200);
  });
});
