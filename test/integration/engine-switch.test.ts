// A source switch restarts the encoder (camera → slate, or a new resolution): the servers keep
// their sessions and see one monotonic timeline, with new sequence headers, decodable throughout.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { SMALL_TEST_SOURCE, decodeFrames, waitForAllLive } from '../support/engine-harness.js';
import { type NginxRtmpHandle, startNginxRtmp } from '../support/nginx-rtmp-fixture.js';
import { type NmsHandle, startNms } from '../support/nms-fixture.js';
import { pullRtmp } from '../support/rtmp-pull.js';

let a: NmsHandle;
let c: NginxRtmpHandle;

beforeAll(async () => {
  [a, c] = await Promise.all([startNms(), startNginxRtmp()]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), c?.stop()]);
});

describe('engine source switch', () => {
  it('keeps every server on one monotonic timeline across an encoder restart', async () => {
    const mc = new MultiConnection();
    try {
      await mc.connect([
        { id: 'a', url: a.url('live', 'switch') },
        { id: 'c', url: c.url('live', 'switch') },
      ]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForAllLive(mc, 6000);
      const pulls = [a.url('live', 'switch'), c.url('live', 'switch')].map((u) => pullRtmp(u, { durationMs: 30_000, analyzeDurationUs: 1_500_000 }));
      expect(await pulls[0]!.waitFor((p) => p.length > 60, 5000)).toBe(true);
      await mc.switchSource({ ...SMALL_TEST_SOURCE, width: 320, height: 240 });
      // Play on until two seconds of frames came after the switch and 120 in all (not for a fixed
      // time, which a busy machine's player start-up would eat into).
      const video = (ps: readonly { codecType: string }[]) => ps.filter((p) => p.codecType === 'video').length;
      const atSwitch = pulls.map((p) => video(p.packets));
      await Promise.all(pulls.map((p, i) => p.waitFor((ps) => video(ps) > Math.max(120, atSwitch[i]! + 60), 15_000)));
      const results = await Promise.all(pulls.map((p) => p.stop()));
      for (const r of results) {
        for (const type of ['video', 'audio'] as const) {
          const dts = r.packets.filter((p) => p.codecType === type && p.dtsMs !== null).map((p) => p.dtsMs!);
          const steps = dts.slice(1).map((d, i) => d - dts[i]!);
          expect(Math.min(...steps), `${type} never goes back in time`).toBeGreaterThanOrEqual(0);
          expect(Math.max(...steps), `${type} pause is only the encoder restart`).toBeLessThan(2000);
        }
        // Frames keep coming after the switch (≈ 4 s of 30 fps after it).
        expect(r.packets.filter((p) => p.codecType === 'video').length).toBeGreaterThan(120);
      }
      for (const s of mc.snapshots()) {
        expect(s.state).toBe('live');
        expect(s.metrics.reconnects).toBe(0); // same tracks: no relay had to restart
      }
      for (const url of [a.url('live', 'switch'), c.url('live', 'switch')]) {
        const decoded = await decodeFrames(url, 30);
        // Decode errors fail the test. ffmpeg's own frame-rate conversion (the CLI feeding its null
        // muxer) sometimes complains of two equal dts when a fresh player joins right at the switch;
        // that line is about ffmpeg's output, not a frame it could not decode, and the pulls above
        // already assert every step of the servers' own timeline is >= 0.
        const errors = decoded.errors.split('\n').filter((l) => l && !/non monotonically increasing dts to muxer/.test(l));
        expect(errors).toEqual([]);
      }
    } finally {
      await mc.stop();
    }
  });

  it('never leaves an encoder running when stop() lands during a switch', async () => {
    const mc = new MultiConnection();
    await mc.connect([{ id: 'a', url: a.url('live', 'switch-stop') }]);
    await mc.publish(SMALL_TEST_SOURCE);
    await waitForAllLive(mc, 6000);
    const switching = mc.switchSource({ ...SMALL_TEST_SOURCE, width: 320, height: 240 });
    const second = mc.switchSource({ kind: 'audio-test' }).catch((e: Error) => e);
    await Promise.all([mc.stop(), switching.catch(() => {}), second]);
    // The thing tested is that nothing happens: no late switch starts an encoder after stop.
    await new Promise((r) => setTimeout(r, 500));
    expect(ffmpegChildren()).toEqual([]);
    await expect(mc.switchSource({ kind: 'audio-test' })).rejects.toThrow(/Not live/);
  });
});

/** ffmpeg processes started by this test process. */
function ffmpegChildren(): number[] {
  const out: number[] = [];
  for (const task of fs.readdirSync(`/proc/${process.pid}/task`)) {
    let kids: string[];
    try {
      kids = fs.readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const k of kids) {
      try {
        if (fs.readFileSync(`/proc/${k}/comm`, 'utf8').trim() === 'ffmpeg') out.push(Number(k));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}
