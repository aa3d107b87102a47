// A supervised server process for test fixtures (node-media-server, nginx-rtmp):
// start and wait until its port accepts, then kill, stop, restart on the same
// port, pause (SIGSTOP) and resume (SIGCONT). The child leads its own process
// group so signals reach nginx's worker too, and every group still alive when
// the test process exits is killed, so no run leaves servers behind. Every wait
// is on a condition with a deadline: "ready" is the port accepting AND the
// server answering (an RTMP handshake for RTMP servers); "stopped" is every
// process of the group gone AND the port refusing.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { tryConnect } from './ports.js';
import { groupMembers } from './procs.js';
import { waitFor, withDeadline } from './wait-for.js';

export interface FixtureProcessSpec {
  /** For error messages: "node-media-server", "nginx-rtmp". */
  name: string;
  command: string;
  args: string[];
  /** The port whose accepting means "ready". */
  port: number;
  /** Runs before every (re)start, e.g. to write a config file. */
  prepare?: () => void;
  /** Keeps a stdin pipe open, so a child that watches stdin dies with its parent. */
  stdinPipe?: boolean;
  /** Extra text for failure messages, such as an error log's tail. */
  diagnostics?: () => string;
  /**
   * Ready means more than "the port accepts" (a master process may listen before its worker
   * serves): polled once the port accepts, e.g. rtmpAnswers(port).
   */
  ready?: () => Promise<boolean>;
  startTimeoutMs?: number;
}

export interface FixtureProcess {
  /** The current child's pid (a new one after restart). */
  readonly pid: number;
  readonly paused: boolean;
  readonly running: boolean;
  /** Sends `signal` (default SIGKILL) to the whole process group, like a crash. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM (after SIGCONT if paused), then SIGKILL if it lingers; resolves when gone. */
  stop(): Promise<void>;
  /** Stops (the whole group gone), waits for the port to refuse, starts again on the same port until ready. */
  restart(): Promise<void>;
  /** SIGSTOP: the kernel still accepts TCP on the port, but nothing answers. */
  pause(): void;
  resume(): void;
  /** The last lines the child printed (stdout and stderr). */
  output(): string;
}

const OUTPUT_LIMIT = 64 * 1024;
const live = new Set<number>();
let exitHookInstalled = false;

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) signalGroup(pid, 'SIGKILL');
  });
}

const RTMP_HANDSHAKE = 1536;

/**
 * Whether an RTMP server answers on 127.0.0.1:port: it replies to C0+C1 with S0 (version 3) and
 * S1 within timeoutMs. Proves a process that serves RTMP holds the port, not just a listen backlog.
 */
export function rtmpAnswers(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => {
      const c1 = Buffer.alloc(RTMP_HANDSHAKE);
      randomFillSync(c1, 8);
      s.write(Buffer.concat([Buffer.from([3]), c1]));
    });
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 1 + RTMP_HANDSHAKE) done(got[0] === 3);
    });
    s.once('error', () => done(false));
    s.once('close', () => done(false));
  });
}

export async function startFixtureProcess(spec: FixtureProcessSpec): Promise<FixtureProcess> {
  installExitHook();
  const startTimeoutMs = spec.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let isRunning = false;
  let isPaused = false;
  let out = '';

  const append = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
  };

  const describe = (why: string): Error => {
    const extra = spec.diagnostics?.() ?? '';
    return new Error(`${spec.name} on port ${spec.port}: ${why}\n--- output ---\n${out.slice(-4000)}${extra ? `\n--- diagnostics ---\n${extra}` : ''}`);
  };

  const launch = async (): Promise<void> => {
    spec.prepare?.();
    const c = spawn(spec.command, spec.args, {
      detached: true,
      stdio: [spec.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    child = c;
    isPaused = false;
    c.stdout?.on('data', append);
    c.stderr?.on('data', append);
    // The pipe breaks when the child dies; that is expected, not an error.
    c.stdin?.on('error', () => {});
    let spawnError: Error | undefined;
    exited = new Promise<void>((resolve) => {
      c.once('error', (err) => {
        spawnError = err;
        isRunning = false;
        resolve();
      });
      c.once('exit', () => {
        isRunning = false;
        if (c.pid !== undefined) live.delete(c.pid);
        resolve();
      });
    });
    if (c.pid === undefined) {
      await exited;
      throw describe(`could not start ${spec.command}: ${spawnError?.message ?? 'no pid'}`);
    }
    isRunning = true;
    live.add(c.pid);

    const outcome = await waitFor(
      async () => {
        if (!isRunning) return 'exited';
        if ((await tryConnect(spec.port, 500)) !== 'open') return null;
        return (spec.ready ? await spec.ready() : true) && isRunning ? 'ready' : null;
      },
      { timeoutMs: startTimeoutMs, intervalMs: 50, what: `${spec.name} ready on port ${spec.port}` },
    ).catch(() => 'timeout' as const);
    if (outcome === 'ready') return;
    if (outcome === 'exited') throw describe(`exited before it was ready (code ${c.exitCode}, signal ${c.signalCode})`);
    signalGroup(c.pid, 'SIGKILL');
    await exited;
    throw describe(`was not ready (accepting${spec.ready ? ' and answering' : ''}) within ${startTimeoutMs} ms`);
  };

  const stop = async (): Promise<void> => {
    const c = child;
    if (!c?.pid) return;
    const pid = c.pid;
    if (isRunning) {
      if (isPaused) signalGroup(pid, 'SIGCONT');
      isPaused = false;
      signalGroup(pid, 'SIGTERM');
      const gone = await withDeadline(exited, 5000, 'exit after SIGTERM').then(
        () => true,
        () => false,
      );
      if (!gone) {
        signalGroup(pid, 'SIGKILL');
        await withDeadline(exited, 5000, `${spec.name} (pid ${pid}) to exit after SIGKILL`).catch((err: unknown) => {
          throw describe(String(err));
        });
      }
    }
    // Also after kill(): nginx's worker may outlive its master by a moment. Sweep the group (only
    // while it has members: a dead group's id may be reused) and see it gone, so a restart never
    // races the old worker for the port.
    if (groupMembers(pid).length > 0) signalGroup(pid, 'SIGKILL');
    await waitFor(() => groupMembers(pid).length === 0, { timeoutMs: 5000, intervalMs: 20, what: `every process of ${spec.name}'s group ${pid} gone` }).catch((err: unknown) => {
      throw describe(`${String(err)}: still ${groupMembers(pid).join(', ')}`);
    });
  };

  const waitPortReleased = async (): Promise<void> => {
    await waitFor(async () => (await tryConnect(spec.port, 500)) === 'refused', { timeoutMs: 5000, intervalMs: 50, what: `port ${spec.port} released` }).catch(
      (err: unknown) => {
        throw describe(`port still in use after stop (${String(err)})`);
      },
    );
  };

  await launch();

  return {
    get pid() {
      return child?.pid ?? -1;
    },
    get paused() {
      return isPaused;
    },
    get running() {
      return isRunning;
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child?.pid && isRunning) signalGroup(child.pid, signal);
      if (signal === 'SIGCONT') isPaused = false;
      if (signal === 'SIGSTOP') isPaused = true;
    },
    stop,
    async restart() {
      await stop();
      await waitPortReleased();
      await launch();
    },
    pause() {
      if (child?.pid && isRunning && signalGroup(child.pid, 'SIGSTOP')) isPaused = true;
    },
    resume() {
      if (child?.pid && isRunning) signalGroup(child.pid, 'SIGCONT');
      isPaused = false;
    },
    output() {
      return out;
    },
  };
}

export interface RtmpServerFields {
  rtmpPort: number;
  /** rtmp://127.0.0.1:<rtmpPort>/<app>[/<name>] */
  url(app: string, name?: string): string;
}

/**
 * A server fixture's handle: the process handle (its getters and methods, unchanged) plus the
 * server's own fields; `dir` (its temp prefix or data dir) is removed after stop().
 */
export function rtmpServerHandle<T extends object>(proc: FixtureProcess, rtmpPort: number, dir: string, extra: T): FixtureProcess & RtmpServerFields & T {
  const handle = Object.create(proc) as FixtureProcess & RtmpServerFields & T;
  return Object.assign(handle, extra, {
    rtmpPort,
    url: (app: string, name?: string) => `rtmp://127.0.0.1:${rtmpPort}/${app}${name === undefined ? '' : `/${name}`}`,
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}
