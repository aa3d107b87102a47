// A server that stops reading (its process frozen with SIGSTOP, its kernel still acknowledging
// with a closed window): the kernel buffers fill, the relay's backlog overflows and drops whole
// GOPs, it is declared stalled (not "connection lost") and re-joined after SIGCONT, and the other
// server and the encoder never notice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import type { GopDrop } from '../../main/engine/relay/relay.js';
import { SMALL_TEST_SOURCE, decodeFrames, waitForAllLive, waitForState } from '../support/engine-harness.js';
import { type NginxRtmpHandle, startNginxRtmp } from '../support/nginx-rtmp-fixture.js';
import { type NmsHandle, startNms } from '../support/nms-fixture.js';
import { maxDtsGapMs, pullRtmp } from '../support/rtmp-pull.js';

// nginx-rtmp acknowledges what it reads (RTMP Acknowledgement): the engine sees it stop reading.
let a: NginxRtmpHandle;
let b: NmsHandle;

beforeAll(async () => {
  [a, b] = await Promise.all([startNginxRtmp(), startNms()]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('engine slow relay', () => {
  it('drops whole GOPs for a server that stops reading, reports it stalled, and re-joins it', async () => {
    const mc = new MultiConnection({ relay: { backlog: { maxMs: 1000, maxBytes: 8 * 1024 * 1024 }, stallTimeoutMs: 3000, inFlightLimitBytes: 192 * 1024 } });
    const drops: GopDrop[] = [];
    mc.onDrop((d) => drops.push(d));
    try {
      await mc.connect([
        { id: 'a', url: a.url('live', 'slow') },
        { id: 'b', url: b.url('live', 'slow') },
      ]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForAllLive(mc, 6000);
      const healthy = pullRtmp(b.url('live', 'slow'), { durationMs: 12_000 });
      expect(await healthy.waitFor((p) => p.length > 60, 5000)).toBe(true);
      a.pause();
      let snap;
      try {
        await waitForState(mc, 'a', 'reconnecting', 15_000);
        snap = mc.snapshots().find((s) => s.id === 'a')!;
      } finally {
        a.resume();
      }
      expect(snap.reason).toBe('stalled');
      expect(snap.message).toMatch(/stopped accepting data \(it is alive but not reading\)/);
      expect(drops.length).toBeGreaterThanOrEqual(1);
      expect(drops.every((d) => d.id === 'a' && d.gops >= 1)).toBe(true);
      expect(snap.metrics.droppedGops).toBeGreaterThanOrEqual(1);
      await waitForState(mc, 'a', 'live', 8000);
      const r = await healthy.done;
      const gaps = maxDtsGapMs(r.packets);
      expect(gaps.video).toBeLessThanOrEqual(100);
      expect(gaps.audio).toBeLessThanOrEqual(100);
      expect(mc.snapshots().find((s) => s.id === 'b')!.metrics.droppedGops).toBe(0);
      const decoded = await decodeFrames(a.url('live', 'slow'), 30);
      expect(decoded.errors).toBe('');
    } finally {
      await mc.stop();
    }
  });
});
