// The one TCP reachability probe (common/tcp-probe.ts), against real sockets on loopback: a
// listening server, a port nothing listens on, and a server that starts listening while waited for.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { canConnect, waitConnectable } from '../../common/tcp-probe.js';
import { freePort } from '../support/ports.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen(port = 0): Promise<{ server: net.Server; port: number; accepted: () => number; bytes: () => number }> {
  let accepted = 0;
  let bytes = 0;
  const server = net.createServer((sock) => {
    accepted++;
    sock.on('data', (d) => (bytes += d.length));
    sock.on('error', () => {});
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port, accepted: () => accepted, bytes: () => bytes }));
  });
}

describe('canConnect', () => {
  it('is true for a listening socket, which sees one connection and no bytes', async () => {
    const s = await listen();
    expect(await canConnect('127.0.0.1', s.port, 2000)).toBe(true);
    const deadline = Date.now() + 2000;
    while (s.accepted() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(s.accepted()).toBe(1);
    expect(s.bytes()).toBe(0);
  });

  it('is false, at once, for a port nothing listens on', async () => {
    const port = await freePort();
    const t0 = Date.now();
    expect(await canConnect('127.0.0.1', port, 5000)).toBe(false);
    // Refused by the kernel: no waiting out the deadline.
    expect(Date.now() - t0).toBeLessThan(2500);
  });
});

describe('waitConnectable', () => {
  it('resolves true once a server starts listening on the port', async () => {
    const port = await freePort();
    const waiting = waitConnectable('127.0.0.1', port, 10_000, 50);
    await new Promise((r) => setTimeout(r, 300));
    await listen(port);
    expect(await waiting).toBe(true);
  });

  it('resolves false when nothing listens before the deadline, within about that deadline', async () => {
    const port = await freePort();
    const t0 = Date.now();
    expect(await waitConnectable('127.0.0.1', port, 500, 50)).toBe(false);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(3000);
  });
});
