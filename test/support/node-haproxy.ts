// Test support: the Debian HAProxy running deploy/haproxy.cfg as shipped, pointed at test nodes
// through the environment variables the config reads.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO } from './node-process.js';
import { freePort, waitForPort } from './ports.js';

export interface HaproxyProcess {
  proc: ChildProcess;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startHaproxy(nodes: [string, string]): Promise<HaproxyProcess> {
  const port = await freePort();
  const proc = spawn('haproxy', ['-db', '-f', path.join(REPO, 'deploy', 'haproxy.cfg')], {
    env: { ...process.env, TANDEM_LB_BIND: `127.0.0.1:${port}`, TANDEM_NODE1: nodes[0], TANDEM_NODE2: nodes[1] },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let stopping: Promise<void> | null = null;
  const h: HaproxyProcess = {
    proc,
    port,
    output: () => out,
    stop: () => {
      stopping ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(t);
        }
      })();
      return stopping;
    },
  };
  try {
    await waitForPort(port, 10_000);
  } catch (err) {
    await h.stop();
    throw new Error(`haproxy did not start: ${String(err)}\n${out}`, { cause: err });
  }
  return h;
}
