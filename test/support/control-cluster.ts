// Test support: N real Tandem nodes, each with its own presenter token and control data directory,
// and the engine's server entries for them (RTMP URL + control URL + token).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ServerConfig } from '../../common/streaming.js';
import { startNode, type NodeProcess } from './node-process.js';
import { freePorts } from './ports.js';

export interface ControlNode {
  id: string;
  token: string;
  dataDir: string;
  node: NodeProcess;
  server: ServerConfig;
  restart(): Promise<void>;
}

/**
 * `cluster: true` tells every node the others' URLs (viewer failover, and their pages' Origin).
 * `prepare` runs before each node first starts, with its (empty) control directory: e.g. to seed
 * its `questions.jsonl`, which the node replays like after its own restart.
 */
export async function startControlCluster(
  n: number,
  o: { cluster?: boolean; prepare?: (dataDir: string, index: number) => void } = {},
): Promise<{ nodes: ControlNode[]; stop(): Promise<void> }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tandem-control-cluster-'));
  const nodes: ControlNode[] = [];
  const ports = o.cluster ? await freePorts(2 * n) : [];
  const cluster = o.cluster ? Array.from({ length: n }, (_, i) => `http://127.0.0.1:${ports[2 * i]}`).join(',') : undefined;
  // One publish secret for every node, as a cluster is deployed: a voter id one node issued is valid on all.
  const secret = randomBytes(32).toString('hex');
  for (let i = 0; i < n; i++) {
    const id = `node-${String.fromCharCode(97 + i)}`;
    const token = randomBytes(24).toString('hex');
    const dataDir = path.join(root, id);
    const env: Record<string, string> = { TANDEM_NODE_ID: id, TANDEM_CONTROL_TOKEN: token, TANDEM_CONTROL_DIR: dataDir, ...(cluster ? { TANDEM_CLUSTER: cluster } : {}) };
    if (o.prepare) {
      mkdirSync(dataDir, { recursive: true });
      o.prepare(dataDir, i);
    }
    const node = await startNode({ env, secret, ...(o.cluster ? { ports: { http: ports[2 * i]!, rtmp: ports[2 * i + 1]! } } : {}) });
    const cn: ControlNode = {
      id,
      token,
      dataDir,
      node,
      // The first node is given as its base URL (the studio's form), the others as control socket URLs.
      server: { id, url: node.publishUrl(), controlUrl: i === 0 ? node.base : `ws://127.0.0.1:${node.httpPort}/control`, controlToken: token },
      restart: async () => {
        const ports = { http: cn.node.httpPort, rtmp: cn.node.rtmpPort };
        await cn.node.stop();
        cn.node = await startNode({ env, ports, secret: cn.node.secret });
      },
    };
    nodes.push(cn);
  }
  return {
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((x) => x.node.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
