// `tandem-node cluster --nodes N`: N real nodes on consecutive ports with generated secrets; the
// printed publish URLs work, every node knows the whole cluster, SIGTERM stops them all, and so
// does the cluster process dying without a word (SIGKILL); a node that dies is started again.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_BIN, waitFor } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';
import { freePortRun, portFree } from '../support/ports.js';
import { childPids } from '../support/procs.js';

const publishers: Publisher[] = [];
let stopCluster: (() => Promise<number | null>) | null = null;

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await stopCluster?.();
});

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
}

/** `tandem-node cluster --nodes 2 --json` on the given port bases, its output collected. */
function spawnCluster(httpBase: number, rtmpBase: number) {
  const proc = spawn(process.execPath, [NODE_BIN, 'cluster', '--nodes', '2', '--http-base-port', String(httpBase), '--rtmp-base-port', String(rtmpBase), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TANDEM_SECRET: '' },
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  return { proc, output: () => out, exited };
}

describe('tandem-node cluster', () => {
  it('starts N nodes on consecutive ports and prints working publish and viewer URLs', async () => {
    const httpBase = await freePortRun(2);
    const rtmpBase = await freePortRun(2);
    const { proc, output, exited } = spawnCluster(httpBase, rtmpBase);
    stopCluster = async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    };

    const line = await waitFor(() => output().split('\n').find((l) => l.startsWith('{"cluster"')), 10_000, 'the cluster JSON line');
    const { cluster } = JSON.parse(line) as { cluster: { nodeId: string; viewerUrl: string; publishUrl: string; httpPort: number; rtmpPort: number }[] };
    expect(cluster.map((c) => [c.httpPort, c.rtmpPort])).toEqual([[httpBase, rtmpBase], [httpBase + 1, rtmpBase + 1]]);
    const bases = cluster.map((c) => c.viewerUrl.replace(/\/$/, ''));
    for (const b of bases) {
      await waitFor(async () => (await fetch(`${b}/readyz`).catch(() => null))?.status === 200, 30_000, `${b} ready`);
      const cfg = (await (await fetch(`${b}/viewer-config.json`)).json()) as { nodes: string[] };
      expect(cfg.nodes).toEqual(bases);
    }
    // Secrets are per node: node 1's URL does not publish on node 2, node 2's does.
    const [n1, n2] = cluster as [(typeof cluster)[0], (typeof cluster)[0]];
    const crossed = startPublisher(n1.publishUrl.replace(`:${n1.rtmpPort}/`, `:${n2.rtmpPort}/`), { seconds: 10, audioOnly: true });
    publishers.push(crossed);
    expect(await crossed.exited).not.toBe(0);
    publishers.push(startPublisher(n2.publishUrl, { seconds: 30, audioOnly: true }));
    await waitFor(async () => (await metric(bases[1]!, 'tandem_live_streams')) === 1, 15_000, 'node 2 live');
    expect(output()).not.toMatch(/"level":\d+.*sign=v1/); // signed URLs are printed once, never logged

    expect(await stopCluster()).toBe(0);
    for (const b of bases) await expect(fetch(`${b}/healthz`)).rejects.toThrow();
  });

  it('its nodes stop when the cluster process is killed with SIGKILL', async () => {
    const httpBase = await freePortRun(2);
    const rtmpBase = await freePortRun(2);
    const { proc, output, exited } = spawnCluster(httpBase, rtmpBase);
    const bases = [httpBase, httpBase + 1].map((p) => `http://127.0.0.1:${p}`);
    try {
      await waitFor(() => output().includes('{"cluster"'), 10_000, 'the cluster JSON line');
      for (const b of bases) await waitFor(async () => (await fetch(`${b}/readyz`).catch(() => null))?.status === 200, 30_000, `${b} ready`);
      proc.kill('SIGKILL'); // no handler runs: only the end of each node's stdin tells it
      await exited;
      for (const b of bases) await waitFor(async () => (await fetch(`${b}/healthz`).then(() => false, () => true)), 15_000, `${b} gone`);
      for (const p of [httpBase, httpBase + 1, rtmpBase, rtmpBase + 1]) expect(await portFree(p)).toBe(true);
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
  });

  it('starts a node that dies again, on its ports, so the presenter sees it come back', async () => {
    const httpBase = await freePortRun(2);
    const rtmpBase = await freePortRun(2);
    const { proc, output, exited } = spawnCluster(httpBase, rtmpBase);
    const bases = [httpBase, httpBase + 1].map((p) => `http://127.0.0.1:${p}`);
    try {
      for (const b of bases) await waitFor(async () => (await fetch(`${b}/readyz`).catch(() => null))?.status === 200, 30_000, `${b} ready`);
      await new Promise((r) => setTimeout(r, 5500)); // past the start window: a later death is a crash, not a failed start
      const before = childPids(proc.pid!, 'tandem-node.mjs');
      expect(before).toHaveLength(2);
      process.kill(before[1]!, 'SIGKILL');
      await waitFor(() => output().includes('was killed (SIGKILL); starting it again'), 5000, 'the cluster noticed');
      await waitFor(async () => childPids(proc.pid!, 'tandem-node.mjs').some((p) => !before.includes(p)), 10_000, 'a new node process');
      for (const b of bases) await waitFor(async () => (await fetch(`${b}/readyz`).catch(() => null))?.status === 200, 30_000, `${b} ready again`);
      expect(proc.exitCode).toBeNull();
    } finally {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 90_000);
});
