// The studio's tiles read viewers from each node's /metrics. While a presenter's control session is
// connected and the stream is live, the node reads its own stream on loopback (getStats' ingest
// probe): the tile must show real viewers only, 0 before anyone watches and 1 with one viewer.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { ServerStatsPoller } from '../../main/presenter/server-stats.js';
import { SMALL_TEST_SOURCE, waitForState } from '../support/engine-harness.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';

let node: NodeProcess;
const token = randomBytes(24).toString('hex');

beforeAll(async () => {
  node = await startNode({ env: { TANDEM_NODE_ID: 'n1', TANDEM_CONTROL_TOKEN: token } });
});
afterAll(async () => {
  await node?.stop();
});

describe('studio server tiles', () => {
  it('count real viewers only while a presenter session is connected and the stream is live', async () => {
    const mc = new MultiConnection();
    const poller = new ServerStatsPoller([{ id: 'n1', controlUrl: node.base }]);
    const tileViewers = async () => {
      await poller.pollAll();
      return poller.sample('n1').viewers;
    };
    try {
      await mc.connect([{ id: 'n1', url: node.publishUrl(), controlUrl: node.base, controlToken: token }]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForState(mc, 'n1', 'live', 6000);
      // The node's ingest probe is reading the stream (it measures frames) …
      await waitFor(() => (mc.control.stats('n1')?.fps ?? 0) > 10, 10_000, 'the ingest probe to measure frames');
      // … and is not a viewer on the tile.
      expect(await tileViewers()).toBe(0);
      const viewer = http.get(`${node.base}/live/main.flv`);
      viewer.on('error', () => {});
      try {
        await waitFor(async () => (await tileViewers()) === 1, 5000, 'one viewer on the tile');
        expect(await tileViewers()).toBe(1);
      } finally {
        viewer.destroy();
      }
      await waitFor(async () => (await tileViewers()) === 0, 5000, 'no viewer on the tile');
    } finally {
      poller.dispose();
      await mc.stop();
    }
  });
});
