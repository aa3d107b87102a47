// The embedded demo: two local Tandem nodes (`tandem-node cluster --nodes 2`) so a new user sees
// redundancy working with nothing else installed. Returns a cluster profile for them.
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { ClusterProfile } from '../../common/profile.js';
import type { IDisposable } from '../../common/lifecycle.js';
import { nodeLauncher, type ProcessLauncher } from '../../common/process-launcher.js';
import { waitConnectable } from '../../common/tcp-probe.js';
import { REPO_ROOT } from '../presenter/paths.js';

const clusterLineSchema = z.object({
  cluster: z.array(z.object({ nodeId: z.string(), viewerUrl: z.string(), publishUrl: z.string(), httpPort: z.number(), rtmpPort: z.number(), controlToken: z.string().optional() })),
});

export interface DemoCluster extends IDisposable {
  profile: ClusterProfile;
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * Two consecutive free ports for HTTP and two for RTMP; bounded attempts. Below the kernel's
 * ephemeral range (32768 and up on Linux): a node the cluster restarts binds its ports again, and
 * one in that range may meanwhile be some outgoing connection's source port.
 */
async function freeRun(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - n));
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error('no free local ports for the demo cluster');
}

export interface DemoClusterOptions {
  nodes?: number;
  timeoutMs?: number;
  /** bin/tandem-node.mjs; the checkout's by default (Electron passes the packaged copy). */
  nodeBin?: string;
  /** How the cluster's process is started: plain Node by default; the Electron shell passes utilityProcess. */
  launcher?: ProcessLauncher;
}

export async function startDemoCluster(opts: DemoClusterOptions = {}): Promise<DemoCluster> {
  const n = opts.nodes ?? 2;
  const httpBase = await freeRun(n);
  let rtmpBase = await freeRun(n);
  while (rtmpBase < httpBase + n && rtmpBase + n > httpBase) rtmpBase = await freeRun(n);
  const launcher = opts.launcher ?? nodeLauncher;
  const child = launcher.launch(
    opts.nodeBin ?? path.join(REPO_ROOT, 'bin', 'tandem-node.mjs'),
    ['cluster', '--nodes', String(n), '--http-base-port', String(httpBase), '--rtmp-base-port', String(rtmpBase), '--json'],
    { env: { ...process.env, TANDEM_LOG_LEVEL: 'warn' }, name: 'Tandem demo cluster' },
  );
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      if (child.exited) return resolve();
      const t = setTimeout(() => child.kill(true), 12_000);
      child.onExit(() => {
        clearTimeout(t);
        resolve();
      });
      child.kill();
    });
    return stopping;
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const t = setTimeout(() => reject(new Error(`the demo cluster did not start within ${opts.timeoutMs ?? 20_000} ms: ${err.slice(-500)}`)), opts.timeoutMs ?? 20_000);
      child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
      child.stdout!.on('data', (d) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(t);
          resolve(out.slice(0, nl));
        }
      });
      child.onExit((code) => {
        clearTimeout(t);
        reject(new Error(`the demo cluster exited (${code}): ${err.slice(-500)}`));
      });
    });
    const info = clusterLineSchema.parse(JSON.parse(line));
    // The nodes print their URLs before they listen: wait until each accepts RTMP (bounded).
    for (const node of info.cluster) {
      if (!(await waitConnectable('127.0.0.1', node.rtmpPort, opts.timeoutMs ?? 20_000, 200))) throw new Error(`demo node ${node.nodeId} did not accept RTMP in time`);
    }
    const profile: ClusterProfile = {
      version: 1,
      name: 'Local demo cluster',
      // The nodes' presenter tokens make the demo's Q&A, banner and cues work out of the box.
      servers: info.cluster.map((c) => ({ id: c.nodeId, label: `Demo ${c.nodeId}`, url: c.publishUrl, controlUrl: c.viewerUrl, ...(c.controlToken ? { token: c.controlToken } : {}) })),
      viewerUrls: info.cluster.map((c) => c.viewerUrl),
    };
    return { profile, stop, dispose: () => void stop() };
  } catch (err) {
    await stop();
    throw err;
  }
}
