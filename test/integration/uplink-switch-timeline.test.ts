// The ffmpeg path bends its bitrate for the uplink controller by a make-before-break switch to
// itself at a new rate (SeamlessEncoder). Each switch must keep the webcast's timeline on the wall
// clock: the relays and the recording rebase every new stream to continue where the last ended, so
// media the new encoder made before the cut (its start-up) or a set-up tag stamped earlier than the
// cut would put seconds of timeline ahead of the clock over a few switches (measured before the
// fix: +1.8 s over 6 switches, +0.3 s each; the recording then ran longer than the webcast).
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { Encoder } from '../../main/engine/encoder/encoder.js';
import { SeamlessEncoder } from '../../main/engine/encoder/seamless-encoder.js';
import { type ResolvedSource, sourceSpecSchema } from '../../main/engine/encoder/source.js';
import { findFfmpeg } from '../../main/engine/ffmpeg/find-ffmpeg.js';
import { TAG_VIDEO, isKeyframe } from '../../main/engine/flv/flv-tag.js';
import { TimestampRebaser } from '../../main/engine/flv/timestamp-rebaser.js';
import { waitFor } from '../support/wait-for.js';

const ffmpeg = findFfmpeg();
const make = (s: ResolvedSource) => new Encoder(s, ffmpeg, silentLogger);
const pattern = (videoKbps: number) => sourceSpecSchema.parse({ kind: 'test', width: 640, height: 360, fps: 30, videoKbps, preset: 'ultrafast' });

let running: SeamlessEncoder | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('bitrate switches keep the timeline on the clock', () => {
  it('six switches: the rebased media time advances as the wall clock does, within 0.3 s', async () => {
    const enc = (running = new SeamlessEncoder(make, silentLogger));
    // A relay's (and the recording's) view: one timeline across the encoder's streams.
    const rebaser = new TimestampRebaser(() => performance.now());
    let stream = 0;
    const keyframes: number[] = [];
    let first: { wall: number; ts: number } | null = null;
    let last = { wall: 0, ts: 0 };
    enc.onHeader(() => {
      stream++;
      rebaser.discontinuity();
    });
    enc.onTag((t) => {
      const ts = rebaser.map(t.timestamp);
      if (t.type !== TAG_VIDEO) return;
      const wall = performance.now();
      first ??= { wall, ts };
      last = { wall, ts };
      if (isKeyframe(t)) keyframes[stream] = (keyframes[stream] ?? 0) + 1;
    });
    enc.start(pattern(2500));
    await waitFor(() => (keyframes[1] ?? 0) >= 3, { timeoutMs: 20_000, what: 'three keyframes of the first stream' });
    // Measured from a frame of the steady stream: the first frames come in ffmpeg's start-up burst.
    first = null;
    let n = 1;
    for (const kbps of [1500, 800, 1500, 2500, 1500, 2500]) {
      await enc.switchTo(pattern(kbps));
      n++;
      await waitFor(() => (keyframes[n] ?? 0) >= 2, { timeoutMs: 20_000, what: `two keyframes at ${kbps} kb/s` });
    }
    const wall = last.wall - first!.wall;
    const media = last.ts - first!.ts;
    console.log(JSON.stringify({ wall_ms: Math.round(wall), media_ms: Math.round(media) }));
    expect(wall).toBeGreaterThan(6000);
    expect(Math.abs(media - wall)).toBeLessThan(300);
  }, 90_000);
});
