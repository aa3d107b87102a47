// A publisher that drops and comes back within node-media-server's grace window: Tandem's engine
// continues each server's clock across its re-join, a plain encoder restarts at 0. Viewers on the
// node must see one continuous timeline either way: no jump ahead, never back in time.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlvParser } from '../../main/engine/flv/flv-parser.js';
import { isSequenceHeader } from '../../main/engine/flv/flv-tag.js';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { SMALL_TEST_SOURCE, waitForState } from '../support/engine-harness.js';
import { type NodeProcess, startNode } from '../support/node-process.js';
import { startPublisher } from '../support/node-publisher.js';
import { waitFor } from '../support/wait-for.js';

let node: NodeProcess;

beforeAll(async () => {
  node = await startNode();
});
afterAll(async () => {
  await node?.stop();
});

/** An HTTP-FLV viewer recording each video frame's timestamp (sequence headers excluded). */
function watch(stream: string): { frames: number[]; close(): void } {
  const frames: number[] = [];
  const req = http.get(`${node.base}/live/${stream}.flv`, (res) => {
    const p = new FlvParser(() => {}, (t) => {
      if (t.type === 9 && !isSequenceHeader(t)) frames.push(t.timestamp);
    });
    res.on('data', (c: Buffer) => p.push(c));
  });
  req.on('error', () => {});
  return { frames, close: () => req.destroy() };
}

function steps(frames: number[]): { min: number; max: number } {
  const d = frames.slice(1).map((f, i) => f - frames[i]!);
  return { min: Math.min(...d), max: Math.max(...d) };
}

/** Stream time the viewer has seen, first frame to last. */
const seenMs = (frames: number[]): number => (frames.length < 2 ? 0 : frames[frames.length - 1]! - frames[0]!);

describe('node timeline across a publisher re-join', () => {
  it('Tandem engine: the re-joined relay continues the clock and the node does not shift it again', async () => {
    const mc = new MultiConnection();
    const viewer = watch('rejoin');
    try {
      await mc.connect([{ id: 'n', url: node.publishUrl('rejoin') }]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForState(mc, 'n', 'live', 6000);
      // Three seconds of stream at the viewer first: the previous publish the node must not add again.
      await waitFor(() => seenMs(viewer.frames) >= 3000, { timeoutMs: 15_000, what: '3 s of frames at the viewer' });
      mc.retry('n'); // the publisher's connection drops (no unpublish) and it re-joins at once
      await waitForState(mc, 'n', 'connecting', 3000);
      await waitForState(mc, 'n', 'live', 8000);
      const before = viewer.frames.length;
      // The viewer stayed and gets frames again.
      await waitFor(() => viewer.frames.length - before > 60, { timeoutMs: 10_000, what: 'frames at the viewer after the re-join' });
      const s = steps(viewer.frames);
      expect(s.min).toBeGreaterThanOrEqual(0);
      expect(s.max).toBeLessThan(1500); // the real gap, not the previous publish's length added on top
    } finally {
      viewer.close();
      await mc.stop();
    }
  });

  it('plain encoder restarting at 0: the node still shifts it past the previous publish', async () => {
    const viewer = watch('plain');
    const first = startPublisher(node.publishUrl('plain'), { seconds: 30 });
    try {
      await waitFor(() => viewer.frames.length >= 60, { timeoutMs: 10_000, what: '60 frames from the first publish' });
      await first.stop();
      await waitFor(async () => (await node.metric('tandem_publishers')) === 0, { timeoutMs: 5000, what: 'the node to see the first publisher gone' });
      const second = startPublisher(node.publishUrl('plain'), { seconds: 30 });
      try {
        const before = viewer.frames.length;
        await waitFor(() => viewer.frames.length >= before + 60, { timeoutMs: 10_000, what: '60 frames from the second publish' });
        expect(steps(viewer.frames).min).toBeGreaterThanOrEqual(0); // never back to 0
      } finally {
        await second.stop();
      }
    } finally {
      viewer.close();
      await first.stop();
    }
  });
});
