// Issue 11: a node with `--media-in-process` runs node-media-server in its own process, so it can run
// where no child process may be started (a packaged app's demo nodes, Electron utility processes).
// The same rules hold: a signed publish from the engine goes live, HTTP-FLV and WS-FLV viewers
// (the WebSocket handed to the media core, not relayed) get media, a wrong signature is refused in
// the node's words, and the node's process has no child at any point. It stops cleanly on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { SMALL_TEST_SOURCE, waitForState } from '../support/engine-harness.js';
import { httpFlvViewer, wsFlvViewer } from '../support/node-flv-viewer.js';
import { startNode, type NodeProcess } from '../support/node-process.js';
import { childrenOf } from '../support/procs.js';
import { waitFor, withDeadline } from '../support/wait-for.js';

let node: NodeProcess;


beforeAll(async () => {
  node = await startNode({ args: ['--media-in-process'], env: { TANDEM_NODE_ID: 'in-process-1' } });
});
afterAll(async () => {
  await node?.stop();
});

describe('a node with its media core in-process', () => {
  it('serves with no child process, and its /readyz is ready', async () => {
    expect(childrenOf(node.proc.pid!)).toEqual([]);
    const ready = await waitFor(async () => (await fetch(`${node.base}/readyz`)).status === 200, 10_000, '/readyz ready');
    expect(ready).toBe(true);
    expect(await node.metric('tandem_media_core_up')).toBe(1);
  });

  it('takes a signed publish from the engine and plays it over HTTP-FLV and WS-FLV', async () => {
    const mc = new MultiConnection();
    const viewers = [];
    try {
      await mc.connect([{ id: 'n', url: node.publishUrl('main') }]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForState(mc, 'n', 'live', 10_000);
      const t0 = Date.now();
      const http = httpFlvViewer(`${node.base}/live/main.flv`);
      const ws = wsFlvViewer(`ws://127.0.0.1:${node.httpPort}/live/main.flv`);
      viewers.push(http, ws);
      await waitFor(() => http.videoTagsSince(t0) > 30 && ws.videoTagsSince(t0) > 30, 15_000, 'video frames at both viewers');
      // Counted by the media core's stats (once a second).
      const counted = async () => (await node.metric('tandem_viewers', { protocol: 'ws-flv' })) === 1 && (await node.metric('tandem_viewers', { protocol: 'http-flv' })) === 1;
      expect(await waitFor(counted, 5000, 'one viewer of each kind counted')).toBe(true);
      // The WebSocket viewer was handed to the media core (here: the same process), not relayed.
      expect(await node.metric('tandem_ws_viewer_handoffs_total', { result: 'adopted' })).toBe(1);
      expect(await node.metric('tandem_ws_viewer_handoffs_total', { result: 'relayed' })).toBe(0);
      expect(childrenOf(node.proc.pid!)).toEqual([]);
    } finally {
      for (const v of viewers) v.close();
      await mc.stop();
    }
  }, 40_000);

  it('refuses a wrong signature in the node words (bad-signature), like a node with a media child', async () => {
    const good = node.publishUrl('wrongsig');
    const bad = good.replace(/sign=v1\.(\d+)\.[A-Za-z0-9_-]{43}/, (_m, exp: string) => `sign=v1.${exp}.${'A'.repeat(43)}`);
    expect(bad).not.toBe(good);
    const mc = new MultiConnection({ relay: { rejectedFloorMs: 100, backoff: { initialMs: 100, maxMs: 200, factor: 1, jitter: 0 } } });
    try {
      await mc.connect([{ id: 'n', url: bad }]);
      await mc.publish({ kind: 'audio-test' });
      await waitFor(() => mc.snapshots()[0]!.metrics.refusals === 3, { timeoutMs: 15_000, what: 'three refusals' });
      const snap = mc.snapshots()[0]!;
      expect(snap.state).toBe('failed');
      expect(snap.reason).toBe('key-refused');
      expect(snap.message).toMatch(/refused the stream key or signature \(server said: bad-signature: /);
      expect(await node.metric('tandem_publish_rejections_total', { code: 'bad-signature' })).toBe(3);
      expect(childrenOf(node.proc.pid!)).toEqual([]);
    } finally {
      await mc.stop();
    }
  }, 30_000);

  it('stops on SIGTERM with exit 0', async () => {
    const exited = new Promise<number | null>((r) => node.proc.once('exit', (code) => r(code)));
    node.proc.kill('SIGTERM');
    expect(await withDeadline(exited, 10_000, 'the node to exit')).toBe(0);
    expect(node.output()).toContain('"node stopped"');
  });
});
