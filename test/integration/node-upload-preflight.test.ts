// The node's upload probe (POST /probe/upload) on a real node: not an open bandwidth sink. It wants
// the presenter token, takes one probe at a time per address and a few a minute, stops reading at
// its byte cap, and answers over HTTPS on the same port; the engine's preflight reads it there.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROBE_BYTES, UPLOAD_PROBE_PATH, uploadProbeResultSchema } from '../../common/upload-probe.js';
import { preflightUpload } from '../../main/engine/uplink/preflight.js';
import { startNode, type NodeProcess } from '../support/node-process.js';
import { waitFor } from '../support/wait-for.js';
import { makeTestCa, type TestCa } from '../support/publisher-tls-proxy.js';

const token = randomBytes(24).toString('hex');
let node: NodeProcess;
let secureNode: NodeProcess;
let ca: TestCa;
/** When this address took its first probe: its quota (6 a minute) refills one every 10 s from then. */
let firstProbeAt = 0;

beforeAll(async () => {
  ca = makeTestCa('localhost');
  [node, secureNode] = await Promise.all([
    startNode({ env: { TANDEM_CONTROL_TOKEN: token } }),
    startNode({ env: { TANDEM_CONTROL_TOKEN: token, TANDEM_TLS_KEY: path.join(ca.dir, 'leaf.key'), TANDEM_TLS_CERT: path.join(ca.dir, 'leaf.pem') } }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([node?.stop(), secureNode?.stop()]);
  ca?.remove();
});

interface Sent {
  status: number;
  body: Record<string, unknown>;
  /** Bytes this client handed to its socket before the answer came. */
  written: number;
}

/**
 * Posts to the probe: `total` bytes as fast as the socket takes them (then ends), or, with
 * `hold`, a first chunk and then nothing until hold() resolves. Resolves with the node's answer.
 */
function post(o: { auth?: string; total?: number; windowMs?: number; hold?: Promise<void> }): Promise<Sent> {
  const chunk = Buffer.alloc(64 * 1024, 7);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request(`${node.base}${UPLOAD_PROBE_PATH}?ms=${o.windowMs ?? 3000}`, { method: 'POST', agent: false, headers: { expect: '100-continue', ...(o.auth ? { authorization: o.auth } : {}) } }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, written });
      });
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    req.flushHeaders();
    // Bytes go only once the node said 100 Continue: a refusal comes before any.
    req.once('continue', () => start());
    const start = (): void => {
    if (o.hold) {
      req.write(chunk);
      written += chunk.length;
      void o.hold.then(() => !answered && req.end());
      return;
    }
    const total = o.total ?? 1024 * 1024;
    const pump = (): void => {
      while (!answered && !req.destroyed && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
    };
  });
}

describe('upload probe endpoint', () => {
  it('refuses without the presenter token, or with a wrong one, in words', async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('This node takes an upload test only with its presenter token');
    const wrong = await post({ auth: `Bearer ${'x'.repeat(48)}` });
    expect(wrong.status).toBe(401);
  });

  it('cuts a refused sender that does not wait for 100 Continue, after reading a little', async () => {
    const socket = net.connect(node.httpPort, '127.0.0.1');
    let answer = '';
    let written = 0;
    let closed = false;
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.write(`POST ${UPLOAD_PROBE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024);
    const pump = (): void => {
      while (!closed && written < 1_000_000_000) {
        written += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    pump();
    // Read at most 256 KiB or 1 s, then not at all; cut 2 s after that.
    await waitFor(() => closed, { timeoutMs: 8000, what: 'the node cutting the refused sender' });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    // What it took: 256 KiB read, plus what the kernels' buffers held; far from the gigabyte offered.
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('stops reading at its byte cap and answers what it read', async () => {
    // 40 MiB offered as fast as loopback takes it: the node reads 12 MiB (and one read past it at most).
    firstProbeAt = Date.now();
    const r = await post({ auth: `Bearer ${token}`, total: 40 * 1024 * 1024 });
    expect(r.status).toBe(200);
    const result = uploadProbeResultSchema.parse(r.body);
    expect(result.capped).toBe(true);
    expect(result.bytes).toBeGreaterThanOrEqual(MAX_PROBE_BYTES);
    expect(result.bytes).toBeLessThanOrEqual(MAX_PROBE_BYTES + 256 * 1024);
    expect(result.rateBps).toBeGreaterThan(0);
    // The sender could not push the whole 40 MiB into the node: it stopped reading.
    expect(r.written).toBeLessThan(40 * 1024 * 1024);
  });

  it('takes one probe at a time per address, a few a minute', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const started = () => node.output().split('upload test started').length - 1;
    const before = started();
    const first = post({ auth: `Bearer ${token}`, hold: held });
    await waitFor(() => started() > before, { timeoutMs: 5000, what: 'the first probe running' });
    // The first is running; a second from the same address is refused.
    const second = await post({ auth: `Bearer ${token}`, windowMs: 500 });
    expect(second.status).toBe(429);
    expect(second.body.error).toBe('An upload test from your address is already running');
    release();
    const done = await first;
    expect(done.status).toBe(200);
    expect(uploadProbeResultSchema.parse(done.body).bytes).toBe(64 * 1024);
    // Six a minute in all (the cap test and the held one were two, and one comes back every 10 s
    // since the first): the rest pass, then the quota is spent.
    const left = Math.min(6, 4 + Math.floor((Date.now() - firstProbeAt) / 10_000));
    const statuses: number[] = [];
    for (let i = 0; i < left + 2; i++) statuses.push((await post({ auth: `Bearer ${token}`, total: 64 * 1024, windowMs: 500 })).status);
    expect(statuses).toEqual([...Array<number>(left).fill(200), 429, 429]);
    const spent = await post({ auth: `Bearer ${token}`, total: 64 * 1024, windowMs: 500 });
    expect(spent.body.error).toBe('Too many upload tests from your address: wait a minute');
  });

  it('answers over HTTPS on the same port, and the preflight says why a plain RTMP server is not measured', async () => {
    const r = await preflightUpload(
      [
        { id: 'secure', controlUrl: `https://localhost:${secureNode.httpPort}`, controlToken: token },
        { id: 'youtube', controlUrl: undefined },
        { id: 'wrong-token', controlUrl: `https://localhost:${secureNode.httpPort}`, controlToken: 'y'.repeat(48) },
      ],
      { windowMs: 1000, secureContext: tls.createSecureContext({ ca: fs.readFileSync(ca.caFile) }) },
    );
    expect(r.servers[0]).toMatchObject({ id: 'secure', reason: expect.stringMatching(/^measured/) });
    expect(r.servers[0]!.bps).toBeGreaterThan(10_000_000);
    expect(r.servers[1]).toEqual({ id: 'youtube', bps: null, reason: 'plain RTMP server (it cannot take a test without publishing)' });
    expect(r.servers[2]).toEqual({ id: 'wrong-token', bps: null, reason: 'the node refused the presenter token' });
    expect(r.uploadBps).toBe(r.servers[0]!.bps);
  });
});
