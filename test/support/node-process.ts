// Test support: a real `tandem-node` process (supervisor + media child) on free loopback ports,
// with its log captured, metrics readable and its media child's pid findable for fault injection.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signPublishUrl } from '../../common/publish-auth.js';
import { freePorts } from './ports.js';
import { childPids } from './procs.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** What a user runs: the bin, which runs the compiled node (built by the test projects' globalSetup). */
export const NODE_BIN = path.join(REPO, 'bin', 'tandem-node.mjs');

export interface NodeProcess {
  proc: ChildProcess;
  httpPort: number;
  rtmpPort: number;
  secret: string;
  base: string;
  /** Everything the node wrote to stdout and stderr so far. */
  output(): string;
  publishUrl(stream?: string, ttlSeconds?: number): string;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  mediaPid(): number;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. Idempotent. */
  stop(): Promise<void>;
}

export interface StartNodeOptions {
  env?: Record<string, string>;
  args?: string[];
  secret?: string;
  /** Wait for /healthz and "node serving"; off for nodes expected to refuse to start. */
  waitReady?: boolean;
  ports?: { http: number; rtmp: number };
}

export function runNodeCommand(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [NODE_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d) => (output += d));
    proc.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export async function startNode(o: StartNodeOptions = {}): Promise<NodeProcess> {
  const [http, rtmp] = o.ports ? [o.ports.http, o.ports.rtmp] : await freePorts(2);
  const secret = o.secret ?? randomBytes(32).toString('hex');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TANDEM_SECRET: secret,
    TANDEM_HOST: '127.0.0.1',
    TANDEM_HTTP_PORT: String(http),
    TANDEM_RTMP_PORT: String(rtmp),
    TANDEM_LOG_LEVEL: 'info',
    ...o.env,
  };
  const proc = spawn(process.execPath, [NODE_BIN, ...(o.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${http}`;
  let stopping: Promise<void> | null = null;
  const node: NodeProcess = {
    proc,
    httpPort: http!,
    rtmpPort: rtmp!,
    secret,
    base,
    output: () => out,
    publishUrl: (stream = 'main', ttl = 600) => signPublishUrl({ base: `rtmp://127.0.0.1:${rtmp}`, stream, secret, ttlSeconds: ttl }),
    metric: async (name, labels) => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const want = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : '';
      const line = text.split('\n').find((l) => l.startsWith(`${name}${want} `));
      if (!line) throw new Error(`metric ${name}${want} not found`);
      return Number(line.split(' ')[1]);
    },
    mediaPid: () => {
      // Only the media core (dist/app/media-child.js), not anything else the node may run.
      const pids = childPids(proc.pid!, 'media-child');
      if (pids.length !== 1) throw new Error(`expected one media child, found ${pids.length}`);
      return pids[0]!;
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      });
      return stopping;
    },
  };
  if (o.waitReady !== false) {
    const deadline = Date.now() + 30_000;
    while (!out.includes('"node serving"')) {
      if (proc.exitCode !== null) throw new Error(`node exited early (${proc.exitCode}):\n${out}`);
      if (Date.now() > deadline) {
        await node.stop();
        throw new Error(`node not serving within 30 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return node;
}

// One home for waiting on conditions (test/support/wait-for.ts); re-exported for the tests that import it from here.
export { waitFor } from './wait-for.js';
