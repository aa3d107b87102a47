// Runs the preflight upload check behind a shaped upload, inside a network namespace of its own
// (spawned by test/integration/uplink-preflight-shaped.test.ts under `unshare -n`):
//   node --import tsx test/support/preflight-child.ts '<json: [{ uploadMbps, slowPathMbps? }, …]>'
// Two real Tandem nodes (with presenter tokens); their HTTP ports shaped as the presenter's upload
// (test/support/shaped-uplink.ts). For each case, prints one line `PREFLIGHT {...}`: the preflight's
// result and the verdict for the two nodes at 2.5 Mb/s.
import { randomBytes } from 'node:crypto';
import { preflightUpload } from '../../main/engine/uplink/preflight.js';
import { preflightVerdict } from '../../main/engine/uplink/preflight-verdict.js';
import { startNode, type NodeProcess } from './node-process.js';
import { ShapedUplink, upLoopback } from './shaped-uplink.js';

const MBIT = 1_000_000;
const cases = JSON.parse(process.argv[2] ?? '[]') as Array<{ uploadMbps: number; slowPathMbps?: number }>;

async function main(): Promise<void> {
  upLoopback();
  const tokens = [randomBytes(24).toString('hex'), randomBytes(24).toString('hex')];
  const nodes: NodeProcess[] = await Promise.all(tokens.map((t, i) => startNode({ env: { TANDEM_NODE_ID: `node-${i + 1}`, TANDEM_CONTROL_TOKEN: t } })));
  try {
    const shaped = ShapedUplink.setUp({ ports: nodes.map((n) => n.httpPort), uploadBps: cases[0]!.uploadMbps * MBIT });
    for (const c of cases) {
      shaped.setUpload(c.uploadMbps * MBIT);
      shaped.setPath(nodes[1]!.httpPort, c.slowPathMbps ? c.slowPathMbps * MBIT : Infinity);
      const started = performance.now();
      const result = await preflightUpload(nodes.map((n, i) => ({ id: `node-${i + 1}`, controlUrl: n.base, controlToken: tokens[i] })));
      const elapsedMs = Math.round(performance.now() - started);
      const verdict = preflightVerdict({ uploadBps: result.uploadBps, capped: result.capped, servers: nodes.length, rates: { videoBps: 2_500_000, audioBps: 128_000 } });
      console.log(`PREFLIGHT ${JSON.stringify({ case: c, elapsedMs, result, verdict })}`);
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
