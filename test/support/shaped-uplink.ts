// A shaped upload on this machine, on loopback only (issue #12's rig). The caller runs inside a
// network namespace of its own (`unshare -n`: see runInOwnNetns), so its `lo` is private: traffic
// *to* the given server ports is limited by one HTB class (the presenter's upload) with a leaf per
// server (its own path, which can be cut alone), each with a short queue, as a home router has
// (netem is not in this machine's kernel, so no added delay: loopback's own); everything else on `lo` (viewers, control) is not shaped. Nothing leaves loopback.
import { execFileSync, spawn } from 'node:child_process';

const tc = (...args: string[]): void => void execFileSync('tc', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const mbit = (bps: number): string => `${Math.max(8, Math.round(bps / 1000))}kbit`;

/** Deletes lo's root qdisc (and with it every class and filter) when one is set; a bare lo is left as it is. */
function clearShaping(): void {
  const shown = execFileSync('tc', ['qdisc', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  if (/qdisc htb 1: root/.test(shown)) tc('qdisc', 'del', 'dev', 'lo', 'root');
}

/** True inside the namespace runInOwnNetns made. */
export function inOwnNetns(): boolean {
  return process.env.TANDEM_OWN_NETNS === '1';
}

/**
 * Runs this Node script again inside a new network namespace (root only) and resolves with its exit
 * code; its stdout and stderr are this process's.
 */
export function runInOwnNetns(script: string, args: string[] = []): Promise<number | null> {
  const child = spawn('unshare', ['-n', process.execPath, ...process.execArgv, script, ...args], {
    stdio: 'inherit',
    env: { ...process.env, TANDEM_OWN_NETNS: '1' },
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

/** Brings the namespace's own `lo` up (before anything listens), with an Ethernet-sized MTU: a 64 KiB one would let one packet carry 0.2 s of a 2.5 Mb/s stream. */
export function upLoopback(): void {
  if (!inOwnNetns()) throw new Error('upLoopback changes lo: run inside runInOwnNetns');
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  execFileSync('ip', ['link', 'set', 'lo', 'mtu', '1500']);
}

export interface ShapeOptions {
  /** Server ports whose inbound traffic (the presenter's upload) is shaped, in rank order. */
  ports: number[];
  uploadBps: number;
  /** Packets a path's queue holds before dropping (default 60: a modest router buffer). */
  queuePackets?: number;
}

export class ShapedUplink {
  private upload: number;
  private readonly paths = new Map<number, number>();

  private constructor(private readonly o: ShapeOptions) {
    this.upload = o.uploadBps;
  }

  /** Installs the shaping on `lo` (upLoopback first). */
  static setUp(o: ShapeOptions): ShapedUplink {
    upLoopback();
    const s = new ShapedUplink(o);
    // A previous run in this namespace may have left its shaping: start from a bare lo.
    clearShaping();
    tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '99', 'r2q', '1');
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:99', 'htb', 'rate', '10gbit');
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', mbit(o.uploadBps), 'ceil', mbit(o.uploadBps));
    o.ports.forEach((port, i) => {
      const leaf = `1:${10 + i}`;
      tc('class', 'add', 'dev', 'lo', 'parent', '1:1', 'classid', leaf, 'htb', ...s.leafRates(port));
      tc('qdisc', 'add', 'dev', 'lo', 'parent', leaf, 'handle', `${10 + i}:`, 'pfifo', 'limit', String(o.queuePackets ?? 60));
      tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dport', String(port), '0xffff', 'flowid', leaf);
    });
    return s;
  }

  /** Removes the shaping (lo is unshaped again), so the next run in this namespace can set up its own. */
  tearDown(): void {
    clearShaping();
  }

  /** The whole upload, shared by every server. */
  setUpload(bps: number): void {
    this.upload = bps;
    tc('class', 'change', 'dev', 'lo', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', mbit(bps), 'ceil', mbit(bps));
    this.o.ports.forEach((port, i) => tc('class', 'change', 'dev', 'lo', 'parent', '1:1', 'classid', `1:${10 + i}`, 'htb', ...this.leafRates(port)));
  }

  /** One server's own path (Infinity: only the upload limits it). */
  setPath(port: number, bps: number): void {
    if (Number.isFinite(bps)) this.paths.set(port, bps);
    else this.paths.delete(port);
    const i = this.o.ports.indexOf(port);
    tc('class', 'change', 'dev', 'lo', 'parent', '1:1', 'classid', `1:${10 + i}`, 'htb', ...this.leafRates(port));
  }

  /** Each path is guaranteed its share of the upload and may borrow up to its own limit. */
  private leafRates(port: number): string[] {
    const ceil = Math.min(this.upload, this.paths.get(port) ?? Infinity);
    const rate = Math.min(ceil, this.upload / this.o.ports.length);
    return ['rate', mbit(rate), 'ceil', mbit(ceil)];
  }
}
