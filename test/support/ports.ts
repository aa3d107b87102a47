// Loopback ports for tests: ask the kernel for a free one, so parallel runs never collide.
import net from 'node:net';
import { freeLoopbackPort } from '../../app/loopback.js';

/** A free loopback port: the node's own helper. */
export const freePort = freeLoopbackPort;

/** Whether nothing listens on 127.0.0.1:port (it can be bound now). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The first of `n` consecutive free loopback ports (for `tandem-node cluster`'s base ports); bounded attempts. */
export async function freePortRun(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 30_000 + Math.floor(Math.random() * 20_000);
    const all = await Promise.all(Array.from({ length: n }, (_, i) => portFree(base + i)));
    if (all.every(Boolean)) return base;
  }
  throw new Error('no run of free ports');
}

export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** Resolves once something accepts TCP on the port, or rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing accepted on ${host}:${port} within ${timeoutMs} ms`);
}

/** Epoch ms at which the port first accepts TCP, polled every 5 ms (for timing a server's return). */
export async function acceptedAt(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return Date.now();
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`nothing accepted on ${host}:${port} within ${timeoutMs} ms`);
}
