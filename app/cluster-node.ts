// One node of `tandem-node cluster`, supervised. A node that dies after it served is started again on
// its ports: by the cluster's spare when one is ready (app/cluster-spare.ts), else as a new process;
// at once the first time, then with backoff if it keeps dying (app/restart-policy.ts), each time with
// a line to the operator. One that never served since the cluster started is a failed start, which
// the cluster handles (a port in use or a bad setting would only fail again).
import type { ChildProcess } from 'node:child_process';
import { isServing } from './cluster-protocol.js';
import { assignSpare, spawnNodeProcess, stopNodeProcess } from './cluster-spare.js';
import { RestartPolicy, type RestartPolicyOptions } from './restart-policy.js';

export interface ClusterNodeOptions {
  nodeId: string;
  env: NodeJS.ProcessEnv;
  /** The cluster's spare process to become this node, or null (then a new process is started). */
  takeSpare(): { child: ChildProcess; ready: boolean } | null;
  /** One line for the operator (the cluster prefixes and prints it). */
  report(line: string): void;
  onServing(): void;
  /** The node died before it ever served: its settings or ports are wrong, restarting will not help. */
  onFailedStart(what: string): void;
  /** The node kept dying and is not started again. */
  onGaveUp(): void;
  policy?: RestartPolicyOptions;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

export class ClusterNode {
  private child: ChildProcess | null = null;
  private readonly policy: RestartPolicy;
  private everServed = false;
  private startedAt = 0;
  private servingSince = 0;
  /** When the node last died, while it is being brought back (for the "serving again" line). */
  private diedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: ClusterNodeOptions) {
    this.policy = new RestartPolicy(o.policy);
  }

  /** Started and not serving yet (a start, or a restart under way). */
  get starting(): boolean {
    return this.child !== null && this.servingSince === 0;
  }

  start(): void {
    if (this.stopped) return;
    this.restartTimer = null;
    this.servingSince = 0;
    this.startedAt = Date.now();
    const spare = this.everServed ? this.o.takeSpare() : null;
    const child = spare?.child ?? spawnNodeProcess([], this.o.env);
    if (spare) assignSpare(spare, this.o.env);
    this.child = child;
    child.on('message', (m) => {
      if (this.child !== child || !isServing(m) || this.servingSince) return;
      this.servingSince = Date.now();
      if (this.everServed && this.diedAt) {
        this.o.report(`${this.o.nodeId} is serving again, ${seconds(this.servingSince - this.diedAt)} after it died${spare ? ' (the spare took over)' : ''}`);
      }
      this.everServed = true;
      this.diedAt = 0;
      this.o.onServing();
    });
    let ended = false;
    const onEnd = (how: string) => {
      if (ended) return;
      ended = true;
      this.onEnd(child, how);
    };
    child.once('exit', (code, signal) => onEnd(signal ? `was killed (${signal})` : `exited (code ${code})`));
    child.once('error', (err) => onEnd(`could not be started (${err.message})`));
  }

  private onEnd(child: ChildProcess, how: string): void {
    if (this.child !== child || this.stopped) return;
    this.child = null;
    const served = this.servingSince ? Date.now() - this.servingSince : 0;
    if (!this.everServed) {
      this.o.onFailedStart(`${this.o.nodeId} ${how} while starting`);
      return;
    }
    this.diedAt ||= Date.now();
    const when = served ? `after serving for ${seconds(served)}` : `before it was serving, ${seconds(Date.now() - this.startedAt)} after its start`;
    const decision = this.policy.onDeath(served);
    if (decision.kind === 'give-up') {
      this.o.report(`${this.o.nodeId} ${how} ${when}: ${decision.failures} failures in a row; giving up on it (its errors are above)`);
      this.o.onGaveUp();
      return;
    }
    const again = decision.failures > 1 ? ` (${decision.failures} failures in a row)` : '';
    const delay = decision.delayMs ? `in ${seconds(decision.delayMs)}` : 'now';
    this.o.report(`${this.o.nodeId} ${how} ${when}${again}; starting it again ${delay}`);
    this.restartTimer = setTimeout(() => this.start(), decision.delayMs);
  }

  /** Stops the node and any pending restart; resolves once it is gone. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    return stopNodeProcess(this.child);
  }
}
