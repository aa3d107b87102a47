// Every server is its own fault domain: kill one, freeze one, and the others carry the webcast
// without a gap; the lost one is re-joined by itself when it comes back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { SMALL_TEST_SOURCE, decodeFrames, waitForAllLive, waitForState } from '../support/engine-harness.js';
import { type NginxRtmpHandle, startNginxRtmp } from '../support/nginx-rtmp-fixture.js';
import { type NmsHandle, startNms } from '../support/nms-fixture.js';
import { httpFlvFirstKeyframeAt } from '../support/first-keyframe.js';
import { acceptedAt } from '../support/ports.js';
import { type PullHandle, maxDtsGapMs, pullRtmp } from '../support/rtmp-pull.js';

let a: NmsHandle;
let b: NmsHandle;
let c: NginxRtmpHandle;
let mc: MultiConnection | null = null;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startNms(), startNms(), startNginxRtmp()]);
});
afterEach(async () => {
  await mc?.stop();
  mc = null;
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
});

async function goLive(name: string): Promise<MultiConnection> {
  const m = new MultiConnection();
  await m.connect([
    { id: 'a', url: a.url('live', name) },
    { id: 'b', url: b.url('live', name) },
    { id: 'c', url: c.url('live', name) },
  ]);
  await m.publish(SMALL_TEST_SOURCE);
  await waitForAllLive(m, 6000);
  return m;
}

function healthyPulls(name: string, ms: number): PullHandle[] {
  return [b.url('live', name), c.url('live', name)].map((u) => pullRtmp(u, { durationMs: ms, analyzeDurationUs: 1_500_000 }));
}

describe('engine failover', () => {
  it('kill -9 one server: the others see no timestamp gap; the restarted one is re-joined within 1 s and decodes', async () => {
    mc = await goLive('kill');
    const pulls = healthyPulls('kill', 9000);
    // Let the players settle, then crash server a while they watch b and c.
    expect(await pulls[0]!.waitFor((p) => p.length > 60, 5000)).toBe(true);
    a.kill('SIGKILL');
    await waitForState(mc, 'a', 'reconnecting', 3000);
    expect(mc.snapshots().find((s) => s.id === 'a')!.reason).toMatch(/refused|closed-by-server/);
    await new Promise((r) => setTimeout(r, 2000)); // down for a while: the backoff has grown
    const restarting = a.restart();
    const accepted = await acceptedAt(a.rtmpPort, 10_000);
    // A viewer waiting on the restarted server: re-joined = it can read a keyframe again.
    const player = httpFlvFirstKeyframeAt(`http://127.0.0.1:${a.httpPort}/live/kill.flv`, 5000);
    await restarting;
    const rejoinMs = (await player) - accepted;
    expect(rejoinMs).toBeLessThanOrEqual(1000);
    await waitForState(mc, 'a', 'live', 3000); // and the app says so
    const results = await Promise.all(pulls.map((p) => p.done));
    for (const r of results) {
      const gaps = maxDtsGapMs(r.packets);
      expect(r.packets.length).toBeGreaterThan(200);
      expect(gaps.video).toBeLessThanOrEqual(100);
      expect(gaps.audio).toBeLessThanOrEqual(100);
    }
    for (const s of mc.snapshots().filter((x) => x.id !== 'a')) expect(s.metrics.reconnects).toBe(0);
    expect(mc.snapshots().find((s) => s.id === 'a')!.metrics.reconnects).toBe(1);
    // The re-joined server serves a stream that decodes from its first frame.
    const pulled = pullRtmp(a.url('live', 'kill'), { durationMs: 15_000 });
    // Until the 31 frames looked at arrived, not for a fixed time a busy machine's player start-up would eat.
    await pulled.waitFor((ps) => ps.filter((p) => p.codecType === 'video').length > 30);
    const r = await pulled.stop();
    const video = r.packets.filter((p) => p.codecType === 'video');
    expect(video.length).toBeGreaterThan(20);
    expect(video.slice(0, 31).some((p) => p.keyframe)).toBe(true);
    // A decoder that starts mid-GOP reports missing references; a clean decode means a keyframe start.
    const decoded = await decodeFrames(a.url('live', 'kill'), 30);
    expect(decoded.errors).toBe('');
    expect(decoded.code).toBe(0);
  });

  it('SIGSTOP one server for 10 s: the others are unaffected; after SIGCONT it recovers with a valid stream', async () => {
    mc = await goLive('stall');
    const pulls = healthyPulls('stall', 14_000);
    expect(await pulls[0]!.waitFor((p) => p.length > 60, 5000)).toBe(true);
    a.pause();
    await new Promise((r) => setTimeout(r, 10_000)); // the 10 s stall under test
    a.resume();
    const results = await Promise.all(pulls.map((p) => p.done));
    for (const r of results) {
      const gaps = maxDtsGapMs(r.packets);
      expect(gaps.video).toBeLessThanOrEqual(100);
      expect(gaps.audio).toBeLessThanOrEqual(100);
      expect(r.packets.filter((p) => p.codecType === 'video').length).toBeGreaterThan(300); // ~13 s of 30 fps
    }
    await waitForState(mc, 'a', 'live', 15_000);
    const decoded = await decodeFrames(a.url('live', 'stall'), 30, 15_000);
    expect(decoded.errors).toBe('');
    expect(decoded.code).toBe(0);
  });
});
