// The in-process publisher against a real Tandem node (node-media-server with signed publish): a
// signed URL goes live and plays back as H.264 + AAC; a wrong signature is refused, counted as a
// refusal, and after three in a row the engine stops retrying until the presenter retries with a
// key the node signed, which goes live.
import { signPublishUrl } from '../../common/publish-auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { SMALL_TEST_SOURCE, decodeFrames, waitForState } from '../support/engine-harness.js';
import { type NodeProcess, startNode } from '../support/node-process.js';
import { codecsSeen, pullRtmp } from '../support/rtmp-pull.js';
import { waitFor } from '../support/wait-for.js';

let node: NodeProcess;

beforeAll(async () => {
  node = await startNode({ env: { TANDEM_NODE_ID: 'publisher-1' } });
});
afterAll(async () => {
  await node?.stop();
});

describe('publisher against a Tandem node', () => {
  it('goes live with a signed URL; the node plays it back and it decodes', async () => {
    const mc = new MultiConnection();
    try {
      await mc.connect([{ id: 'n', url: node.publishUrl('signed') }]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForState(mc, 'n', 'live', 8000);
      // Played until both media arrived (deadline 15 s), not for a fixed 3 s a busy machine's player start-up eats.
      const pull = pullRtmp(`rtmp://127.0.0.1:${node.rtmpPort}/live/signed`, { durationMs: 15_000, analyzeDurationUs: 1_500_000 });
      await pull.waitFor((ps) => codecsSeen(ps).length === 2);
      const pulled = await pull.stop();
      expect(codecsSeen(pulled.packets)).toEqual(['aac', 'h264']);
      const decoded = await decodeFrames(`rtmp://127.0.0.1:${node.rtmpPort}/live/signed`, 30);
      expect(decoded.errors).toBe('');
      expect(node.output()).not.toMatch(/publish rejected/);
      // The node acknowledges what it reads (RTMP Acknowledgement, every 64 KiB the engine asked for):
      // the engine sees how far behind the server reads, in bytes and in media time.
      const m = await waitFor(() => {
        const snap = mc.snapshots()[0]!.metrics;
        return (snap.ackedBytes ?? 0) > 64 * 1024 && typeof snap.lagMs === 'number' ? snap : null;
      }, { timeoutMs: 10_000, what: 'acknowledgements from the node' });
      expect(m.ackedBytes!).toBeLessThanOrEqual(m.bytesSent);
      expect(m.lagMs!).toBeLessThan(2000);
    } finally {
      await mc.stop();
    }
  });

  it('stops after three refused signatures and goes live when the presenter retries with a signed key', async () => {
    const good = node.publishUrl('wrongsig'); // (a stream name is part of the key: a word like 'refused' would be masked in the sentences)
    const bad = good.replace(/sign=v1\.(\d+)\.[A-Za-z0-9_-]{43}/, (_m, exp: string) => `sign=v1.${exp}.${'A'.repeat(43)}`);
    expect(bad).not.toBe(good);
    const mc = new MultiConnection({ relay: { rejectedFloorMs: 100, backoff: { initialMs: 100, maxMs: 200, factor: 1, jitter: 0 } } });
    try {
      await mc.connect([{ id: 'n', url: bad }]);
      await mc.publish({ kind: 'audio-test' });
      await waitFor(() => mc.snapshots()[0]!.metrics.refusals === 3, { timeoutMs: 15_000, what: 'three refusals' });
      const snap = mc.snapshots()[0]!;
      expect(snap.state).toBe('failed');
      // The node says why (NetStream.Publish.BadName with a description), not just hangs up.
      expect(snap.reason).toBe('key-refused');
      expect(snap.message).toMatch(/refused the stream key or signature \(server said: bad-signature: /);
      expect(snap.nextAttemptAt).toBeNull();
      expect(snap.message).toMatch(/not retrying until you retry or change the key/);
      expect(JSON.stringify(snap)).not.toMatch(/sign=|AAAAAAAA/);
      await waitFor(() => (node.output().match(/publish rejected/g) ?? []).length >= 3, { timeoutMs: 5000, what: 'the node logging three refusals' });
      mc.retry('n', { url: good });
      await waitForState(mc, 'n', 'live', 8000);
      expect(mc.snapshots()[0]!.metrics.refusals).toBe(0);
    } finally {
      await mc.stop();
    }
  });

  it('names an expired signature and a stream another publisher holds, from what the node says', async () => {
    // Signed two minutes ago for one minute: expired by a minute (a negative ttl is taken as 1 s,
    // which a fast run can still publish within).
    const expired = signPublishUrl({ base: `rtmp://127.0.0.1:${node.rtmpPort}`, stream: 'late', secret: node.secret, ttlSeconds: 60, now: Date.now() - 120_000 });
    const holder = new MultiConnection();
    const second = new MultiConnection();
    const late = new MultiConnection();
    try {
      await holder.connect([{ id: 'n', url: node.publishUrl('held') }]);
      await holder.publish({ kind: 'audio-test' });
      await waitForState(holder, 'n', 'live', 8000);
      await second.connect([{ id: 'n', url: node.publishUrl('held') }]);
      await second.publish({ kind: 'audio-test' });
      await waitFor(() => second.snapshots()[0]!.reason === 'stream-in-use', { timeoutMs: 10_000, what: 'stream-in-use' });
      expect(second.snapshots()[0]!.message).toMatch(/Another publisher holds this stream .*stream-busy/);
      expect(second.snapshots()[0]!.metrics.refusals).toBe(0);
      await late.connect([{ id: 'n', url: expired }]);
      await late.publish({ kind: 'audio-test' });
      await waitFor(() => late.snapshots()[0]!.reason === 'signature-expired', { timeoutMs: 10_000, what: () => `signature-expired (saw ${late.snapshots()[0]!.state}: ${late.snapshots()[0]!.message})` });
      expect(late.snapshots()[0]!.message).toMatch(/the signed URL has expired/);
      expect(holder.snapshots()[0]!.state).toBe('live');
    } finally {
      await Promise.all([holder.stop(), second.stop(), late.stop()]);
    }
  });
});
