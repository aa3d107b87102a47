// The embedded demo: two local Tandem nodes, so a new user sees redundancy working with nothing else
// installed. Each node is started here, one process each, through the injected launcher: Electron's
// utilityProcess in the app (its binary cannot run as Node: RunAsNode fuse), plain Node otherwise.
// Nodes run their media core in-process (`--media-in-process`), so no demo process starts another.
// Secrets (publish secret, presenter token) go in the node's environment, as `tandem-node cluster`
// passes them, never in its arguments. A node that dies after serving is started again
// (demo-node.ts). Returns a cluster profile for the nodes.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import type { ClusterProfile } from '../../common/profile.js';
import type { IDisposable } from '../../common/lifecycle.js';
import { nodeLauncher, type LaunchedProcess, type ProcessLauncher } from '../../common/process-launcher.js';
import { signPublishUrl } from '../../common/publish-auth.js';
import { waitConnectable } from '../../common/tcp-probe.js';
import { REPO_ROOT } from '../presenter/paths.js';
import { DemoNodeProcess } from './demo-node.js';
import { makeDemoStateDir } from './demo-state-dir.js';

export interface DemoCluster extends IDisposable {
  profile: ClusterProfile;
  stop(): Promise<void>;
}

const STREAM = 'main';
const HOST = '127.0.0.1';
/** A demo's publish URLs are signed for a day, as `tandem-node cluster` signs them. */
const PUBLISH_TTL_S = 86_400;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, HOST, () => s.close(() => resolve(true)));
  });
}

/**
 * n consecutive free ports; bounded attempts. Below the kernel's ephemeral range (32768 and up on
 * Linux), where an outgoing connection's source port could take one meanwhile.
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
  /** How each node's process is started: plain Node by default; the Electron shell passes utilityProcess. */
  launcher?: ProcessLauncher;
  /** Parent of the demo's private state folder; the user's runtime or state folder by default. */
  stateParent?: string;
}

interface DemoNode {
  nodeId: string;
  httpPort: number;
  rtmpPort: number;
  secret: string;
  token: string;
}

/** Resolves once the node answers /readyz as itself and accepts RTMP; rejects if it exits or the deadline passes. */
async function untilServing(node: DemoNode, proc: LaunchedProcess, lastWords: () => string, deadline: number): Promise<void> {
  let exited: number | null | undefined;
  proc.onExit((code) => (exited = code));
  const said = () => (lastWords() ? `: ${lastWords()}` : '');
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`demo node ${node.nodeId} exited (${exited})${said()}`);
    const ready = await fetch(`http://${HOST}:${node.httpPort}/readyz`, { signal: AbortSignal.timeout(1000) })
      .then(async (r) => r.status === 200 && ((await r.json()) as { node?: unknown }).node === node.nodeId)
      .catch(() => false);
    if (ready && (await waitConnectable(HOST, node.rtmpPort, Math.max(1, deadline - Date.now())))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`demo node ${node.nodeId} did not serve within the time allowed${said()}`);
}

export async function startDemoCluster(opts: DemoClusterOptions = {}): Promise<DemoCluster> {
  const n = opts.nodes ?? 2;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const httpBase = await freeRun(n);
  let rtmpBase = await freeRun(n);
  for (let i = 0; i < 50 && rtmpBase < httpBase + n && rtmpBase + n > httpBase; i++) rtmpBase = await freeRun(n);
  const launcher = opts.launcher ?? nodeLauncher;
  const nodeBin = opts.nodeBin ?? path.join(REPO_ROOT, 'bin', 'tandem-node.mjs');
  const state = makeDemoStateDir(opts.stateParent);
  const nodes: DemoNode[] = Array.from({ length: n }, (_, i) => ({
    nodeId: `node-${i + 1}`,
    httpPort: httpBase + i,
    rtmpPort: rtmpBase + i,
    secret: randomBytes(32).toString('hex'),
    token: randomBytes(24).toString('hex'),
  }));
  const bases = nodes.map((d) => `http://${HOST}:${d.httpPort}`);
  const processes: DemoNodeProcess[] = [];
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= Promise.all(processes.map((p) => p.stop())).then(() => state.remove());
    return stopping;
  };
  try {
    const deadline = Date.now() + timeoutMs;
    const started = nodes.map((d) => {
      const proc = new DemoNodeProcess(() =>
        launcher.launch(
          nodeBin,
          ['--node-id', d.nodeId, '--host', HOST, '--http-port', String(d.httpPort), '--rtmp-port', String(d.rtmpPort), '--stream', STREAM, '--media-in-process'],
          {
            env: {
              ...process.env,
              TANDEM_SECRET: d.secret,
              TANDEM_CONTROL_TOKEN: d.token,
              TANDEM_CLUSTER: bases.join(','),
              TANDEM_CONTROL_DIR: path.join(state.dir, d.nodeId),
              TANDEM_LOG_LEVEL: 'warn',
            },
            name: `Tandem demo ${d.nodeId}`,
          },
        ),
      );
      processes.push(proc);
      return untilServing(d, proc.current, () => proc.lastWords, deadline).then(() => proc.markServed());
    });
    await Promise.all(started);
  } catch (err) {
    await stop();
    throw err;
  }
  const profile: ClusterProfile = {
    version: 1,
    name: 'Local demo cluster',
    // The nodes' presenter tokens make the demo's Q&A, banner and cues work out of the box.
    servers: nodes.map((d, i) => ({
      id: d.nodeId,
      label: `Demo ${d.nodeId}`,
      url: signPublishUrl({ base: `rtmp://${HOST}:${d.rtmpPort}`, stream: STREAM, secret: d.secret, ttlSeconds: PUBLISH_TTL_S }),
      controlUrl: `${bases[i]}/`,
      token: d.token,
    })),
    viewerUrls: bases.map((b) => `${b}/`),
  };
  return { profile, stop, dispose: () => void stop() };
}
