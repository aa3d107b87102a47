// Make-before-break encoder switches (issue #12: the ffmpeg path bends its bitrate by switching to
// itself at a new rate): real ffmpeg encoders, tags timed on the wall clock as the relays get them.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { Encoder } from '../../main/engine/encoder/encoder.js';
import { SeamlessEncoder, SwitchFailedError } from '../../main/engine/encoder/seamless-encoder.js';
import { type ResolvedSource, sourceSpecSchema } from '../../main/engine/encoder/source.js';
import { findFfmpeg } from '../../main/engine/ffmpeg/find-ffmpeg.js';
import { TAG_VIDEO, isKeyframe } from '../../main/engine/flv/flv-tag.js';
import { waitFor } from '../support/wait-for.js';

const ffmpeg = findFfmpeg();
const make = (s: ResolvedSource) => new Encoder(s, ffmpeg, silentLogger);
const pattern = (videoKbps: number) => sourceSpecSchema.parse({ kind: 'test', width: 640, height: 360, fps: 25, videoKbps, preset: 'ultrafast' });

interface Seen {
  at: number;
  type: number;
  key: boolean;
  bytes: number;
  stream: number;
}

function watch(enc: SeamlessEncoder): Seen[] {
  const seen: Seen[] = [];
  let stream = 0;
  enc.onHeader(() => stream++);
  enc.onTag((t) => seen.push({ at: performance.now(), type: t.type, key: isKeyframe(t), bytes: t.data.length, stream }));
  return seen;
}

/** Longest wall-clock wait between two video frames the relays got, ms, after `from`. */
function longestVideoGap(seen: Seen[], from = 0): number {
  const video = seen.filter((s) => s.type === TAG_VIDEO && s.at >= from);
  return Math.max(...video.slice(1).map((s, i) => s.at - video[i]!.at));
}

let running: SeamlessEncoder | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('seamless encoder switch', () => {
  it('switches to a new bitrate at a keyframe with no gap the relays can see', async () => {
    const enc = (running = new SeamlessEncoder(make, silentLogger));
    const seen = watch(enc);
    enc.start(pattern(2500));
    await waitFor(() => seen.filter((s) => s.key).length >= 3, { timeoutMs: 20_000, what: 'three keyframes at 2.5 Mb/s' });
    const before = performance.now();
    await enc.switchTo(pattern(400));
    expect(enc.source).toMatchObject({ kind: 'test', videoKbps: 400 });
    await waitFor(() => seen.filter((s) => s.stream === 2 && s.key).length >= 3, { timeoutMs: 20_000, what: 'three keyframes at 0.4 Mb/s' });
    // The first frame of the new stream is a keyframe, and the video never paused for a frame's worth or so.
    const firstNew = seen.find((s) => s.stream === 2 && s.type === TAG_VIDEO)!;
    expect(firstNew.key).toBe(true);
    // Measured against this machine's own jitter: the steady stream's longest wait between frames
    // before the switch. Stopping first, then starting, would add ffmpeg's start-up (0.5 s or more).
    const steady = longestVideoGap(seen.filter((s) => s.at < before));
    const atCut = longestVideoGap(seen, before - 500);
    expect(atCut).toBeLessThan(Math.max(steady, 80) + 150);
    // And the new rate is what the relays get: bytes per video frame fell.
    const perFrame = (stream: number) => {
      const v = seen.filter((s) => s.stream === stream && s.type === TAG_VIDEO && !s.key);
      return v.reduce((n, s) => n + s.bytes, 0) / v.length;
    };
    expect(perFrame(2)).toBeLessThan(perFrame(1) * 0.5);
  });

  it('keeps the running encoder when the new source never produces a keyframe', async () => {
    const enc = (running = new SeamlessEncoder(make, silentLogger));
    const seen = watch(enc);
    enc.start(pattern(800));
    await waitFor(() => seen.some((s) => s.key), { timeoutMs: 20_000, what: 'the first keyframe' });
    const broken = sourceSpecSchema.parse({ kind: 'slate', imagePath: '/nonexistent/slate.png' });
    await expect(enc.switchTo(broken, 3000)).rejects.toBeInstanceOf(SwitchFailedError);
    const after = seen.length;
    await waitFor(() => seen.length > after + 25, { timeoutMs: 10_000, what: 'the old encoder still producing' });
    expect(enc.source?.kind).toBe('test');
    expect(new Set(seen.map((s) => s.stream))).toEqual(new Set([1]));
  });
});
