// Loopback ports for tests, from one allocator. Tests stop servers and start them again on the
// same port, so a port must stay theirs while nothing listens on it. Two things break that:
//  - the kernel hands ports of its ephemeral range (ip_local_port_range, 32768–60999 here) to
//    every outgoing connection as its source port, so a port taken from that range (listen(0))
//    can be some connection's source port by the time the server restarts ("already in use"),
//    and a probe of a free port in that range can even connect to itself;
//  - another test process (a vitest worker, a second `npm test`) may pick the same port.
// So ports come from below the ephemeral range, and each is claimed with a lock file under
// /tmp/tandem-test-ports/<port>.<pid> for as long as this process lives, then checked by binding.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './wait-for.js';

/** Where the lock files live: `<port>.<pid>`, each holding its owner's start time. */
export const LOCK_ROOT = path.join(os.tmpdir(), 'tandem-test-ports');
const EPHEMERAL_FILE = '/proc/sys/net/ipv4/ip_local_port_range';
// Only ports no other picker on this machine uses: the app's demo cluster picks its own from 20000
// up (main/demo/demo-cluster.ts; it also runs inside tests), this suite's old helpers (other
// checkouts, benches) picked 30000–49999 and the kernel picks its ephemeral range. A listener
// already on one is caught by the bind check.
const FLOOR = 10_000;
const CEILING = 20_000;
const MIN_PORTS = 1000;

export interface PortRange {
  /** Inclusive bounds of the ports tests get. */
  low: number;
  high: number;
}

/** The kernel's ephemeral (source port) range; Linux's default when it cannot be read. */
export function ephemeralRange(): PortRange {
  try {
    const [low, high] = fs.readFileSync(EPHEMERAL_FILE, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return { low: low!, high: high! };
  } catch {
    // Not Linux, or no /proc: assume the default range.
  }
  return { low: 32_768, high: 60_999 };
}

/** Where test ports come from: 10000–19999, or as much of it as lies below the ephemeral range. */
export function testPortRange(eph: PortRange = ephemeralRange()): PortRange {
  const below: PortRange = { low: FLOOR, high: Math.min(CEILING, eph.low) - 1 };
  const above: PortRange = { low: Math.max(FLOOR, eph.high + 1), high: 65_535 };
  for (const r of [below, above]) if (r.high - r.low + 1 >= MIN_PORTS) return r;
  throw new Error(
    `the kernel's ephemeral port range (${eph.low}–${eph.high}, ${EPHEMERAL_FILE}) leaves no ${MIN_PORTS} ports for tests outside it; ` +
      `narrow it, e.g. sysctl -w net.ipv4.ip_local_port_range="32768 60999"`,
  );
}

// ---- lock files: /tmp/tandem-test-ports/<port>.<pid>, holding the owner's start time ----

const mine = new Set<number>();
let lockRootReady = false;

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or null when the pid is gone or a zombie. */
function startTime(pid: number): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  return fields[19] ?? null;
}

const MY_START = startTime(process.pid) ?? '';
const lockFile = (port: number, pid = process.pid): string => path.join(LOCK_ROOT, `${port}.${pid}`);

/** Whether a lock's owner still runs: its pid with the recorded start time (a reused pid is another process). */
function ownerAlive(pid: number, file: string): boolean {
  if (pid === process.pid) return true;
  const now = startTime(pid);
  if (now === null) return false;
  try {
    const recorded = fs.readFileSync(file, 'utf8').trim();
    return recorded === '' || recorded === now;
  } catch {
    return false; // its owner removed it meanwhile
  }
}

function prepareLockRoot(): void {
  if (lockRootReady) return;
  fs.mkdirSync(LOCK_ROOT, { recursive: true });
  try {
    // Shared like /tmp: any user's test run may lock ports, and remove only its own files.
    fs.chmodSync(LOCK_ROOT, 0o1777);
  } catch {
    // Another user created it; it is already shared.
  }
  // Once per process: drop the locks of runs that were killed and never cleaned up.
  for (const name of fs.readdirSync(LOCK_ROOT)) {
    const pid = Number(name.slice(name.indexOf('.') + 1));
    const file = path.join(LOCK_ROOT, name);
    if (Number.isInteger(pid) && pid > 0 && !ownerAlive(pid, file)) fs.rmSync(file, { force: true });
  }
  process.on('exit', releaseAll);
  lockRootReady = true;
}

function releaseAll(): void {
  for (const port of mine) fs.rmSync(lockFile(port), { force: true });
  mine.clear();
}

function release(port: number): void {
  mine.delete(port);
  fs.rmSync(lockFile(port), { force: true });
}

/**
 * Claims `port` for this process. Mutual exclusion without an atomic test-and-set: each claimant
 * first writes its own lock file, then looks for another live one. Of two claimants at least the
 * later one sees the earlier's file and backs off (both may: the port is skipped, never shared).
 * Files of dead processes (a killed run) are ignored and removed.
 */
function lock(port: number): boolean {
  prepareLockRoot();
  const own = lockFile(port);
  fs.writeFileSync(own, MY_START);
  const prefix = `${port}.`;
  for (const name of fs.readdirSync(LOCK_ROOT)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (pid === process.pid) continue;
    const other = path.join(LOCK_ROOT, name);
    if (Number.isInteger(pid) && pid > 0 && ownerAlive(pid, other)) {
      fs.rmSync(own, { force: true });
      return false;
    }
    fs.rmSync(other, { force: true });
  }
  return true;
}

/** Whether nothing listens on 127.0.0.1:port (it can be bound now). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/**
 * Locks `port` for this process and checks that it binds; on failure leaves nothing behind.
 * Tests want freePort(); this is for the allocator's own tests, which need a known port.
 */
export async function claimPort(port: number): Promise<boolean> {
  if (mine.has(port) || !lock(port)) return false;
  mine.add(port);
  if (await portFree(port)) return true;
  release(port);
  return false;
}

/**
 * Candidate ports in an order that differs per process (so concurrent claimants rarely meet),
 * each at most once: the walk is bounded by the range's size.
 */
function* candidates(range: PortRange, width = 1): Generator<number> {
  const size = range.high - range.low + 2 - width;
  const start = (process.pid * 7919 + Math.floor(Math.random() * size)) % size;
  for (let i = 0; i < size; i++) yield range.low + ((start + i) % size);
}

/**
 * A loopback port that is this process's for as long as it runs: outside the kernel's ephemeral
 * range, locked against every other test process, and bindable right now. Safe to stop a server
 * and start it again on it.
 */
export async function freePort(): Promise<number> {
  return freePortRun(1);
}

/** `n` distinct ports, as freePort. */
export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePort());
  return out;
}

/** The first of `n` consecutive ports, each as freePort (for `tandem-node cluster`'s base ports). */
export async function freePortRun(n: number): Promise<number> {
  const range = testPortRange();
  for (const base of candidates(range, n)) {
    const got: number[] = [];
    for (let p = base; p < base + n && (await claimPort(p)); p++) got.push(p);
    if (got.length === n) return base;
    for (const p of got) release(p);
  }
  throw new Error(`no run of ${n} free ports in ${range.low}–${range.high} (locks in ${LOCK_ROOT})`);
}

/**
 * One TCP connect to host:port: 'open' (something accepted), 'refused' (nothing listens) or
 * 'other' (no answer within timeoutMs, e.g. a paused or overloaded listener, or another error).
 */
export function tryConnect(port: number, timeoutMs = 1000, host = '127.0.0.1'): Promise<'open' | 'refused' | 'other'> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    const done = (r: 'open' | 'refused' | 'other'): void => {
      clearTimeout(t);
      s.destroy();
      resolve(r);
    };
    const t = setTimeout(() => done('other'), timeoutMs);
    s.once('connect', () => done('open'));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'other'));
  });
}

/** Resolves once something accepts TCP on the port, or rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  await waitFor(async () => (await tryConnect(port, 1000, host)) === 'open', { timeoutMs, intervalMs: 50, what: `something accepting on ${host}:${port}` });
}

/** Epoch ms at which the port first accepts TCP, polled every 5 ms (for timing a server's return). */
export async function acceptedAt(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<number> {
  return waitFor(async () => ((await tryConnect(port, 1000, host)) === 'open' ? Date.now() : null), {
    timeoutMs,
    intervalMs: 5,
    what: `something accepting on ${host}:${port}`,
  });
}
