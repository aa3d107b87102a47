// getStats reads the live stream on the node's loopback like a viewer would; that reader must never
// show up as a viewer (in /metrics, in getStats, or in the presenter's tiles), and a real viewer
// must count as exactly one.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { type ControlNode, startControlCluster } from '../support/control-cluster.js';
import { SMALL_TEST_SOURCE, waitForState } from '../support/engine-harness.js';
import { waitFor } from '../support/wait-for.js';

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let n: ControlNode;

beforeAll(async () => {
  cluster = await startControlCluster(1);
  n = cluster.nodes[0]!;
});
afterAll(async () => {
  await cluster?.stop();
});

/** Waits for pred; on timeout returns, so the expect that follows says what was seen instead. */
async function until(pred: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  await waitFor(pred, { timeoutMs: ms, what: 'a stats condition' }).catch(() => {});
}

describe('node stats reader', () => {
  it('measures what the node receives without counting itself as a viewer', async () => {
    const mc = new MultiConnection();
    try {
      await mc.connect([n.server]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForState(mc, n.id, 'live', 6000);
      await until(() => (mc.control.stats(n.id)?.fps ?? 0) > 10, 10_000);
      const stats = mc.control.stats(n.id);
      expect(stats?.fps).toBeGreaterThan(10); // the reader is running and sees frames
      expect(stats?.viewers).toBe(0);
      for (const protocol of ['rtmp', 'http-flv', 'ws-flv']) {
        expect(await n.node.metric('tandem_viewers', { protocol })).toBe(0);
      }
      const viewer = http.get(`${n.node.base}/live/main.flv`);
      viewer.on('error', () => {});
      try {
        await until(async () => (await n.node.metric('tandem_viewers', { protocol: 'http-flv' })) === 1, 5000);
        expect(await n.node.metric('tandem_viewers', { protocol: 'http-flv' })).toBe(1);
        await until(() => mc.control.stats(n.id)?.viewers === 1, 5000);
        expect(mc.control.stats(n.id)?.viewers).toBe(1);
      } finally {
        viewer.destroy();
      }
    } finally {
      await mc.stop();
    }
  });
});
