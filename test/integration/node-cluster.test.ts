// `tandem-node cluster --nodes N`: N real nodes on consecutive ports with generated secrets; the
// printed publish URLs work, every node knows the whole cluster, SIGTERM stops them all, and so
// does the cluster process dying without a word (SIGKILL). A node that dies is started again: one
// killed a second after it began serving too; a killed serving node accepts RTMP again within 3 s
// (a spare node takes over); one that dies at once every time is retried with a growing wait.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_BIN, waitFor } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';
import { freePortRun, portFree } from '../support/ports.js';
import { alive, childPids } from '../support/procs.js';
import { acceptsRtmp, rtmpAcceptedAt } from '../support/rtmp-ready.js';

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

/** `tandem-node cluster --nodes 2 --json` on the given port bases, its output collected with each line's arrival time. */
function spawnCluster(httpBase: number, rtmpBase: number, extra: string[] = []) {
  const proc = spawn(process.execPath, [NODE_BIN, 'cluster', '--nodes', '2', '--http-base-port', String(httpBase), '--rtmp-base-port', String(rtmpBase), '--json', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TANDEM_SECRET: '' },
  });
  let out = '';
  const lines: { at: number; text: string }[] = [];
  let partial = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => {
    out += d;
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ at: Date.now(), text });
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    return exited;
  };
  /** The cluster's own lines (stderr) that mention `what`, from the `from`-th line on. */
  const said = (what: string | RegExp, from = 0) => lines.slice(from).filter((l) => (typeof what === 'string' ? l.text.includes(what) : what.test(l.text)));
  return { proc, output: () => out, lines, said, exited, stop };
}

/** The node process that runs `nodeId` (its title, also when a spare became it). */
function nodePid(clusterPid: number, nodeId: string): number {
  const pids = childPids(clusterPid, `tandem-node ${nodeId}`);
  if (pids.length !== 1) throw new Error(`expected one process for ${nodeId}, found ${pids.length}`);
  return pids[0]!;
}

describe('tandem-node cluster', () => {
  it('starts N nodes on consecutive ports and prints working publish and viewer URLs', async () => {
    const httpBase = await freePortRun(2);
    const rtmpBase = await freePortRun(2);
    const { output, stop } = spawnCluster(httpBase, rtmpBase);
    stopCluster = stop;

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

    expect(await stop()).toBe(0);
    for (const b of bases) await expect(fetch(`${b}/healthz`)).rejects.toThrow();
  });

  it('its nodes, its spare and their media cores stop when the cluster process is killed with SIGKILL', async () => {
    const httpBase = await freePortRun(2);
    const rtmpBase = await freePortRun(2);
    const { proc, said, exited } = spawnCluster(httpBase, rtmpBase);
    try {
      await waitFor(() => said('a spare node is ready').length > 0, 60_000, 'the spare ready');
      const nodes = [...childPids(proc.pid!, 'tandem-node node-'), ...childPids(proc.pid!, 'tandem-node spare')];
      expect(nodes).toHaveLength(3);
      const all = [...nodes, ...nodes.flatMap((n) => childPids(n, 'media-child'))];
      expect(all).toHaveLength(6);
      proc.kill('SIGKILL'); // no handler runs: only the end of each node's stdin (and IPC channel) tells it
      await exited;
      await waitFor(() => !all.some(alive), 15_000, 'every node, the spare and their media cores gone');
      for (const p of [httpBase, httpBase + 1, rtmpBase, rtmpBase + 1]) expect(await portFree(p)).toBe(true);
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
  });
});

describe('tandem-node cluster restarts a node that dies', () => {
  const controlDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-cluster-restart-'));
  let c: ReturnType<typeof spawnCluster>;
  let rtmpBase = 0;

  beforeAll(async () => {
    const httpBase = await freePortRun(2);
    rtmpBase = await freePortRun(2);
    c = spawnCluster(httpBase, rtmpBase, ['--control-dir', controlDir]);
    for (const port of [rtmpBase, rtmpBase + 1]) await rtmpAcceptedAt(port, 60_000);
  }, 90_000);

  afterAll(async () => {
    expect(await c?.stop()).toBe(0);
    fs.rmSync(controlDir, { recursive: true, force: true });
  });

  it('a second after it began serving: started again, and the cluster stays up', async () => {
    // The scenario itself, not a wait for something: a death this soon once stopped the whole cluster.
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    process.kill(nodePid(c.proc.pid!, 'node-2'), 'SIGKILL');
    await waitFor(() => c.said(/node-2 was killed \(SIGKILL\) after serving for [\d.]+ s; starting it again now/).length === 1, 10_000, 'the restart reported');
    const back = await rtmpAcceptedAt(rtmpBase + 1, 30_000);
    console.log(`node-2, killed 1 s after it began serving, accepted RTMP again after ${back - killedAt} ms`);
    await waitFor(() => c.said('node-2 is serving again').length === 1, 10_000, 'node-2 reported back');
    expect(c.proc.exitCode).toBeNull();
    expect(await acceptsRtmp(rtmpBase)).toBe(true);
  });

  it('a killed serving node accepts RTMP again within 3 s: the spare takes over', async () => {
    const since = c.lines.findIndex((l) => l.text.includes('node-2 is serving again'));
    await waitFor(() => c.said('a spare node is ready', since).length > 0, 60_000, 'a spare ready after the last restart');
    const killedAt = Date.now();
    process.kill(nodePid(c.proc.pid!, 'node-1'), 'SIGKILL');
    const back = await rtmpAcceptedAt(rtmpBase, 30_000);
    console.log(`node-1, killed with SIGKILL while serving, accepted RTMP again after ${back - killedAt} ms`);
    expect(back - killedAt).toBeLessThan(3000);
    await waitFor(() => c.said('node-1 is serving again').length === 1, 10_000, 'node-1 reported back');
    expect(c.said('node-1 is serving again')[0]!.text).toContain('(the spare took over)');
    expect(nodePid(c.proc.pid!, 'node-1')).toBeGreaterThan(0);
  });

  it('one that dies at once every time is retried with a doubling wait, reported each time, until it can start', async () => {
    // node-2's data directory turns into a file: every start of node-2 now fails at once.
    const dir = path.join(controlDir, 'node-2');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.writeFileSync(dir, 'not a directory');
    const from = c.lines.length;
    process.kill(nodePid(c.proc.pid!, 'node-2'), 'SIGKILL');
    const failure = /node-2 exited \(code 1\) before it was serving, [\d.]+ s after its start \((\d+) failures in a row\); starting it again in ([\d.]+) s/;
    await waitFor(() => c.said(failure, from).length >= 3, 60_000, 'three failed starts of node-2 reported');
    const failures = c.said(failure, from).slice(0, 3);
    const waits = failures.map((l) => Number(failure.exec(l.text)![2]));
    // Doubling waits, and never sooner than the wait announced: no tight loop.
    expect(waits[1]).toBe(waits[0]! * 2);
    expect(waits[2]).toBe(waits[1]! * 2);
    for (let i = 1; i < failures.length; i++) expect(failures[i]!.at - failures[i - 1]!.at).toBeGreaterThanOrEqual(waits[i - 1]! * 1000 - 50);
    expect(c.proc.exitCode).toBeNull();
    expect(await acceptsRtmp(rtmpBase)).toBe(true); // node-1 serves throughout

    fs.rmSync(dir); // fixed: the next start succeeds
    await waitFor(() => c.said('node-2 is serving again', from).length === 1, 60_000, 'node-2 back once it can start');
    expect(await acceptsRtmp(rtmpBase + 1)).toBe(true);
  }, 120_000);
});
