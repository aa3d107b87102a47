// `tandem-node cluster --nodes N`: N independent local nodes on consecutive ports, each with its own
// generated secret, each knowing the others (viewer failover). For demos and tests; a real cluster
// runs one node per machine behind a load balancer (deploy/haproxy.cfg).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { signPublishUrl } from '../common/publish-auth.js';
import { userStateDir } from '../common/user-state-dir.js';
import { ClusterNode } from './cluster-node.js';
import { ensurePrivateDir, makePrivateTempDir } from './control/private-dir.js';
import { SpareNode } from './cluster-spare.js';
import { ConfigError } from './errors.js';

export interface ClusterNodeInfo {
  nodeId: string;
  viewerUrl: string;
  publishUrl: string;
  httpPort: number;
  rtmpPort: number;
  /** The control plane endpoint and this node's presenter token (a secret: printed, never logged). */
  controlUrl: string;
  controlToken: string;
}

/** The viewer page URLs to share: the balancer's (when given) first, then every node's. */
export function viewerLinks(infos: readonly Pick<ClusterNodeInfo, 'viewerUrl'>[], balancerUrl: string | null): string[] {
  return [...(balancerUrl ? [balancerUrl] : []), ...infos.map((i) => i.viewerUrl)];
}

/** A balancer's public base URL as viewers open it (`https://live.example/`), or a ConfigError in words. */
function balancerViewerUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v.trim());
  } catch {
    throw new ConfigError(`--balancer-url must be the balancer's viewer address, like https://live.example.org/ (got "${v}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`--balancer-url must be an http:// or https:// address (got "${v}")`);
  return u.toString();
}

function int(v: unknown, name: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

export async function runCluster(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        nodes: { type: 'string' },
        'http-base-port': { type: 'string' },
        'rtmp-base-port': { type: 'string' },
        host: { type: 'string' },
        stream: { type: 'string' },
        json: { type: 'boolean' },
        'ttl': { type: 'string' },
        'control-dir': { type: 'string' },
        'balancer-url': { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const n = int(values.nodes, 'nodes', 1, 16, 2);
  const httpBase = int(values['http-base-port'], 'http-base-port', 1, 65535 - n, 8080);
  const rtmpBase = int(values['rtmp-base-port'], 'rtmp-base-port', 1, 65535 - n, 1935);
  const ttl = int(values.ttl, 'ttl', 60, 31 * 86_400, 86_400);
  const host = values.host ?? '127.0.0.1';
  const stream = values.stream ?? 'main';
  // Each node keeps its shared objects and Q&A log here, so a restarted demo node loses no question.
  // A fresh private folder (0700) under the user's own runtime or state folder, never a predictable
  // name in /tmp that another local user could create first (app/control/private-dir.ts).
  const given = values['control-dir'];
  const controlRoot = given ? path.resolve(given) : makePrivateTempDir(userStateDir(), 'tandem-cluster-');
  if (given) ensurePrivateDir(controlRoot);
  const bases = Array.from({ length: n }, (_, i) => `http://${host}:${httpBase + i}`);
  // The address viewers are given when a balancer (deploy/haproxy.cfg) fronts these nodes.
  const balancerUrl = values['balancer-url'] === undefined ? null : balancerViewerUrl(values['balancer-url']);

  const envs: NodeJS.ProcessEnv[] = [];
  const infos: ClusterNodeInfo[] = [];
  for (let i = 0; i < n; i++) {
    const secret = randomBytes(32).toString('hex');
    const nodeId = `node-${i + 1}`;
    const controlToken = randomBytes(24).toString('hex');
    const env = {
      ...process.env,
      TANDEM_SECRET: secret,
      TANDEM_NODE_ID: nodeId,
      TANDEM_HOST: host,
      TANDEM_HTTP_PORT: String(httpBase + i),
      TANDEM_RTMP_PORT: String(rtmpBase + i),
      TANDEM_STREAM: stream,
      TANDEM_CLUSTER: bases.join(','),
      TANDEM_CONTROL_TOKEN: controlToken,
      TANDEM_CONTROL_DIR: path.join(controlRoot, nodeId),
      // Each node holds a pipe from us on stdin: if we die, even by SIGKILL, it sees the end and stops.
      TANDEM_PARENT_STDIN: '1',
    };
    envs.push(env);
    infos.push({
      nodeId,
      httpPort: httpBase + i,
      rtmpPort: rtmpBase + i,
      viewerUrl: `${bases[i]}/`,
      publishUrl: signPublishUrl({ base: `rtmp://${host}:${rtmpBase + i}`, stream, secret, ttlSeconds: ttl }),
      controlUrl: `ws://${host}:${httpBase + i}/control`,
      controlToken,
    });
  }

  const report = (line: string) => process.stderr.write(`tandem-node cluster: ${line}\n`);
  let stopping = false;
  let givenUp = 0;
  const spare = new SpareNode({ env: { ...process.env, TANDEM_PARENT_STDIN: '1' }, report });
  const nodes: ClusterNode[] = infos.map((info, i) => new ClusterNode({
    nodeId: info.nodeId,
    env: envs[i]!,
    takeSpare: () => spare.take(),
    report,
    // A spare is prepared once no node is starting, so it never slows a start down.
    onServing: () => nodes.some((node) => node.starting) || spare.prepare(),
    // A node that could not even start (a port in use, a bad setting) would only fail again: the
    // cluster stops, loudly.
    onFailedStart: (what) => {
      report(`${what}; stopping the cluster`);
      stopAll(1);
    },
    onGaveUp: () => {
      givenUp += 1;
      if (givenUp < n) return;
      report('no node is left; stopping the cluster');
      stopAll(1);
    },
  }));
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    void Promise.all([...nodes.map((node) => node.stop()), spare.stop()]).then(() => process.exit(code));
  };
  process.on('SIGTERM', () => stopAll(0));
  process.on('SIGINT', () => stopAll(0));
  for (const node of nodes) node.start();

  // Publish URLs carry signatures: they go to stdout for the operator, never into logs.
  const viewerUrls = viewerLinks(infos, balancerUrl);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ cluster: infos, viewerUrls, balancerUrl })}\n`);
  } else {
    process.stdout.write(`Tandem cluster: ${n} nodes on ${host}\n`);
    // First what the operator shares: the links viewers open (the balancer's first when there is one).
    process.stdout.write(`Viewer links (share these):\n${viewerUrls.map((u) => `  ${u}\n`).join('')}`);
    for (const info of infos) {
      process.stdout.write(
        `  ${info.nodeId}\n    viewer   ${info.viewerUrl}\n    publish  ${info.publishUrl}\n    control  ${info.controlUrl}\n    token    ${info.controlToken}\n`,
      );
    }
    process.stdout.write('Stop with Ctrl-C.\n');
  }
}
