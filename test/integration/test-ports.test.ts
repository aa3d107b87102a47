// The test-port allocator (test/support/ports.ts) is what keeps restarts from racing: its ports lie
// below the kernel's ephemeral range, no two live test processes ever hold the same one, a run that
// was killed does not keep its ports, and a process that exits gives its ports back.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimPort, ephemeralRange, freePortRun, freePorts, LOCK_ROOT, portFree, testPortRange } from '../support/ports.js';
import { REPO } from '../support/node-process.js';
import { alive } from '../support/procs.js';
import { waitFor, withDeadline } from '../support/wait-for.js';

const PORTS = path.join(REPO, 'test', 'support', 'ports.ts');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-ports-test-'));
// A test process of its own: claims `n` ports, prints them, holds them until its stdin closes.
const HOLDER = path.join(scratch, 'holder.mts');
fs.writeFileSync(
  HOLDER,
  `import { freePorts } from ${JSON.stringify(PORTS)};
const ports = await freePorts(Number(process.argv[2]));
console.log(JSON.stringify(ports));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`,
);

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(scratch, { recursive: true, force: true });
});

interface Holder {
  proc: ChildProcess;
  ports: number[];
  exited: Promise<void>;
}

async function holder(n: number): Promise<Holder> {
  const proc = spawn(process.execPath, ['--import', 'tsx', HOLDER, String(n)], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => (children.delete(proc), r())));
  const line = await waitFor(() => (out.includes('\n') ? out.slice(0, out.indexOf('\n')) : proc.exitCode !== null ? Promise.reject(new Error(err)) : null), {
    timeoutMs: 30_000,
    what: `a holder process's ${n} ports`,
  });
  return { proc, ports: JSON.parse(line) as number[], exited };
}

const lockFiles = (pid: number): string[] => fs.readdirSync(LOCK_ROOT).filter((f) => f.endsWith(`.${pid}`));

/** A port of the test range that no process holds and that binds, to claim by hand. */
async function unheldPort(): Promise<number> {
  const { low, high } = testPortRange();
  const held = new Set(fs.readdirSync(LOCK_ROOT).map((f) => Number(f.split('.')[0])));
  for (let p = high; p >= low; p--) if (!held.has(p) && (await portFree(p))) return p;
  throw new Error('no unheld port');
}

describe('test ports', () => {
  it('come from below the ephemeral range, distinct, bindable, and consecutive when asked', async () => {
    const eph = ephemeralRange();
    const { low, high } = testPortRange();
    expect(high).toBeLessThan(eph.low);
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(low);
      expect(p).toBeLessThanOrEqual(high);
      expect(await portFree(p)).toBe(true);
    }
    const base = await freePortRun(3);
    expect(ports).not.toContain(base);
    expect(lockFiles(process.pid)).toEqual(expect.arrayContaining([`${base}.${process.pid}`, `${base + 1}.${process.pid}`, `${base + 2}.${process.pid}`]));
  });

  it('never hands one port to two live processes, and a process that exits gives its ports back', async () => {
    const holders = await Promise.all([holder(300), holder(300), holder(300)]);
    const mine = await freePorts(300);
    const all = [...mine, ...holders.flatMap((h) => h.ports)];
    expect(all.length).toBe(1200);
    expect(new Set(all).size).toBe(1200);

    const first = holders[0]!;
    expect(lockFiles(first.proc.pid!).length).toBe(300);
    first.proc.stdin!.end();
    await withDeadline(first.exited, 10_000, 'the holder to exit');
    expect(lockFiles(first.proc.pid!)).toEqual([]);
    for (const h of holders.slice(1)) h.proc.stdin!.end();
    await Promise.all(holders.map((h) => withDeadline(h.exited, 10_000, 'the holders to exit')));
  });

  it("skips a port a live process holds, takes one whose holder was killed, and tells a reused pid apart", async () => {
    // A killed run: its lock files stay behind, its pid is dead.
    const killed = await holder(5);
    killed.proc.kill('SIGKILL');
    await withDeadline(killed.exited, 10_000, 'the killed holder to exit');
    expect(lockFiles(killed.proc.pid!).length).toBe(5);
    const stale = killed.ports[0]!;
    expect(await claimPort(stale)).toBe(true);
    expect(fs.existsSync(path.join(LOCK_ROOT, `${stale}.${killed.proc.pid}`))).toBe(false);

    // A live holder (any process: a lock file names its pid; an empty start time matches any).
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.add(sleeper);
    const held = await unheldPort();
    fs.writeFileSync(path.join(LOCK_ROOT, `${held}.${sleeper.pid}`), '');
    expect(await claimPort(held)).toBe(false);
    expect(fs.existsSync(path.join(LOCK_ROOT, `${held}.${process.pid}`))).toBe(false);

    // The same pid with another start time is a new process that reused the pid: the lock is stale.
    fs.writeFileSync(path.join(LOCK_ROOT, `${held}.${sleeper.pid}`), '1');
    expect(await claimPort(held)).toBe(true);

    // Once the holder is gone its lock no longer counts.
    const other = await unheldPort();
    fs.writeFileSync(path.join(LOCK_ROOT, `${other}.${sleeper.pid}`), '');
    sleeper.kill('SIGKILL');
    await waitFor(() => !alive(sleeper.pid!), { timeoutMs: 5000, intervalMs: 20, what: 'sleep to be gone' });
    expect(await claimPort(other)).toBe(true);
  });

  it('skips a port something outside the scheme listens on', async () => {
    const p = await unheldPort();
    const squatter = spawn(process.execPath, ['-e', `require('net').createServer().listen(${p}, '127.0.0.1', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(squatter);
    let up = '';
    squatter.stdout!.on('data', (d) => (up += d));
    await waitFor(() => up.includes('up'), { timeoutMs: 10_000, what: 'the squatter listening' });
    expect(await claimPort(p)).toBe(false);
    expect(fs.existsSync(path.join(LOCK_ROOT, `${p}.${process.pid}`))).toBe(false);
    squatter.kill('SIGKILL');
  });
});
