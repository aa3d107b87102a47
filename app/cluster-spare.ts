// The node processes of `tandem-node cluster`, and its one spare: a node process started ahead
// (`tandem-node spare`), loaded with its media core's process and waiting. When a node dies, the spare
// becomes it (it is told the node's settings) and binds its ports in a fraction of a second, where a
// fresh process would first spend seconds loading on a busy machine; another spare is then prepared.
import { spawn, type ChildProcess } from 'node:child_process';
import { builtPath } from '../common/install-layout.js';
import { launchEnv } from '../common/process-launcher.js';
import { isSpareReady, runMessage } from './cluster-protocol.js';
import { RestartPolicy } from './restart-policy.js';

/**
 * A node process of the cluster: the compiled node, its stdin a lifeline from us (TANDEM_PARENT_STDIN)
 * and an IPC channel for app/cluster-protocol.ts.
 */
export function spawnNodeProcess(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [builtPath('nodeCli'), ...args], {
    // Never ELECTRON_RUN_AS_NODE, even when the cluster inherited it (common/process-launcher.ts).
    env: launchEnv(env),
    stdio: ['pipe', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  child.stdin!.on('error', () => {}); // a node that already exited: nothing to tell it
  return child;
}

/** SIGTERM (a node stops gracefully), SIGKILL after forceAfterMs; resolves once the process is gone. */
export function stopNodeProcess(child: ChildProcess | null, forceAfterMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Hands a spare the settings of the node it becomes: now if it is ready, else once it says so. */
export function assignSpare(spare: { child: ChildProcess; ready: boolean }, env: NodeJS.ProcessEnv): void {
  const settings = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const send = () => void spare.child.send(runMessage(settings), () => {});
  if (spare.ready) return send();
  const onMessage = (m: unknown) => {
    if (!isSpareReady(m)) return;
    spare.child.off('message', onMessage);
    send();
  };
  spare.child.on('message', onMessage);
}

export interface SpareOptions {
  env: NodeJS.ProcessEnv;
  report(line: string): void;
}

export class SpareNode {
  private child: ChildProcess | null = null;
  private ready = false;
  private readySince = 0;
  private detach: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private gaveUp = false;
  private readonly policy = new RestartPolicy();

  constructor(private readonly o: SpareOptions) {}

  /** Starts one unless there is one already (or one is due). */
  prepare(): void {
    if (this.stopped || this.gaveUp || this.child || this.timer) return;
    const child = spawnNodeProcess(['spare'], this.o.env);
    this.child = child;
    const onMessage = (m: unknown) => {
      if (!isSpareReady(m)) return;
      this.ready = true;
      this.readySince = Date.now();
      this.o.report('a spare node is ready to take over from a node that dies');
    };
    const onEnd = (how: string) => {
      if (this.child !== child) return;
      this.clear();
      if (this.stopped) return;
      const decision = this.policy.onDeath(this.readySince ? Date.now() - this.readySince : 0);
      this.readySince = 0;
      if (decision.kind === 'give-up') {
        this.gaveUp = true;
        this.o.report(`the spare node ${how} ${decision.failures} times in a row; nodes that die are started from scratch from now on`);
        return;
      }
      this.timer = setTimeout(() => {
        this.timer = null;
        this.prepare();
      }, decision.delayMs);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => onEnd(signal ? `was killed (${signal})` : `exited (code ${code})`);
    const onError = (err: Error) => onEnd(`could not be started (${err.message})`);
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
    this.detach = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
  }

  /**
   * The spare, now the caller's to assign (once it is ready, if it is still loading: it is ahead of
   * a process started now either way), or null when there is none.
   */
  take(): { child: ChildProcess; ready: boolean } | null {
    const child = this.child;
    if (!child?.connected) return null;
    const ready = this.ready;
    this.detach?.();
    this.clear();
    this.readySince = 0;
    return { child, ready };
  }

  /** Stops the spare and any pending start; resolves once it is gone. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return stopNodeProcess(this.child);
  }

  private clear(): void {
    this.child = null;
    this.ready = false;
    this.detach = null;
  }
}
