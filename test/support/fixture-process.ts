// A supervised server process for test fixtures (node-media-server, nginx-rtmp):
// start and wait until its port accepts, then kill, stop, restart on the same
// port, pause (SIGSTOP) and resume (SIGCONT). The child leads its own process
// group so signals reach nginx's worker too, and every group still alive when
// the test process exits is killed, so no run leaves servers behind.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

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
  /** Stops, waits for the port to be released, starts again on the same port. */
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tryConnect(port: number): Promise<'open' | 'refused' | 'other'> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const done = (r: 'open' | 'refused' | 'other'): void => {
      clearTimeout(t);
      s.destroy();
      resolve(r);
    };
    // A paused or overloaded server may leave the connect pending: bound it.
    const t = setTimeout(() => done('other'), 500);
    s.once('connect', () => done('open'));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'other'));
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

    const deadline = Date.now() + startTimeoutMs;
    // Bounded by the deadline; each turn waits at most ~550 ms.
    while (Date.now() < deadline) {
      if (!isRunning) throw describe(`exited before accepting connections (code ${c.exitCode}, signal ${c.signalCode})`);
      if ((await tryConnect(spec.port)) === 'open' && isRunning) return;
      await sleep(50);
    }
    signalGroup(c.pid, 'SIGKILL');
    await exited;
    throw describe(`did not accept connections within ${startTimeoutMs} ms`);
  };

  const stop = async (): Promise<void> => {
    const c = child;
    if (!c?.pid || !isRunning) return;
    const pid = c.pid;
    if (isPaused) signalGroup(pid, 'SIGCONT');
    isPaused = false;
    signalGroup(pid, 'SIGTERM');
    const gone = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
    if (!gone) {
      signalGroup(pid, 'SIGKILL');
      await Promise.race([exited, sleep(2000)]);
    }
    // nginx's worker may outlive its master by a moment; sweep the group.
    signalGroup(pid, 'SIGKILL');
  };

  const waitPortReleased = async (): Promise<void> => {
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      if ((await tryConnect(spec.port)) === 'refused') return;
      await sleep(50);
    }
    throw describe('port still in use after stop');
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
