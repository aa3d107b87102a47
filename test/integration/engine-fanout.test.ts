// One encode, three real servers: two node-media-server processes and one nginx-rtmp.
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SETUP_SUCCESS } from '../../common/streaming.js';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { SMALL_TEST_SOURCE, waitForAllLive } from '../support/engine-harness.js';
import { type NginxRtmpHandle, startNginxRtmp } from '../support/nginx-rtmp-fixture.js';
import { type NmsHandle, startNms } from '../support/nms-fixture.js';
import { codecsSeen, pullRtmp, type CodecType, type PulledPacket } from '../support/rtmp-pull.js';

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

function servers(name: string) {
  return [
    { id: 'nms-a', url: a.url('live', name) },
    { id: 'nms-b', url: b.url('live', name) },
    { id: 'nginx', url: c.url('live', name) },
  ];
}

const count = (ps: readonly PulledPacket[], type: CodecType): number => ps.filter((p) => p.codecType === type).length;

/**
 * Plays the stream from every server until each has delivered more than `atLeast` packets of
 * `type` (or timeoutMs passes), then stops: a fixed play time would be a sleep, and on a busy
 * machine the player's own start-up eats most of it.
 */
async function pullAll(name: string, type: CodecType, atLeast: number, timeoutMs = 15_000) {
  // nginx-rtmp holds a new player's video until the next keyframe (≤ 1 s GOP): analyse longer than that.
  const pulls = servers(name).map((s) => pullRtmp(s.url, { durationMs: timeoutMs, analyzeDurationUs: 1_500_000 }));
  await Promise.all(pulls.map((p) => p.waitFor((ps) => count(ps, type) > atLeast)));
  return Promise.all(pulls.map((p) => p.stop()));
}

describe('engine fan-out', () => {
  it('publishes one encoded stream to two node-media-servers and nginx-rtmp', async () => {
    mc = new MultiConnection();
    const setup = await mc.connect(servers('fan'));
    expect(setup.code).toBe(SETUP_SUCCESS);
    await mc.publish(SMALL_TEST_SOURCE);
    await waitForAllLive(mc, 5000);
    const results = await pullAll('fan', 'video', 30);
    for (const r of results) {
      expect(codecsSeen(r.packets)).toEqual(['aac', 'h264']);
      const video = r.packets.filter((p) => p.codecType === 'video');
      expect(video.length).toBeGreaterThan(30); // frames keep arriving
      // A keyframe within the first GOP (1 s = 30 frames): the stream is decodable from each server.
      expect(video.slice(0, 31).some((p) => p.keyframe)).toBe(true);
    }
    const snaps = mc.snapshots();
    for (const s of snaps) {
      expect(s.metrics.bytesSent).toBeGreaterThan(50_000);
      expect(s.metrics.bitrateBps).toBeGreaterThan(100_000);
    }
  });

  it('publishes audio only to every server', async () => {
    mc = new MultiConnection();
    await mc.connect(servers('audio'));
    await mc.publish({ kind: 'audio-test' });
    await waitForAllLive(mc, 5000);
    const results = await pullAll('audio', 'audio', 40);
    for (const r of results) {
      expect(codecsSeen(r.packets)).toEqual(['aac']);
      expect(r.packets.filter((p) => p.codecType === 'audio').length).toBeGreaterThan(40);
    }
  });

  for (const variant of [
    { name: 'H.264 + Opus (copied, as Chromium records)', video: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30'], mime: 'video/x-matroska;codecs=avc1,opus' },
    { name: 'VP8 + Opus (transcoded to H.264)', video: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', '30'], mime: 'video/webm;codecs=vp8,opus' },
  ]) {
    it(`publishes a live Matroska chunk stream, ${variant.name}`, async () => {
      mc = new MultiConnection();
      await mc.connect(servers('mkv'));
      // No mimeType given: the engine must sniff the codec from the Matroska header itself.
      await mc.publish({ kind: 'chunks' });
      // A live, non-seekable Matroska stream in small pieces, as MediaRecorder delivers it.
      const rec = spawn('ffmpeg', [
        '-hide_banner', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-re', '-f', 'lavfi', '-i', 'sine',
        '-t', '8', ...variant.video, '-c:a', 'libopus', '-b:a', '64k', '-f', variant.mime.includes('webm') ? 'webm' : 'matroska', '-cluster_time_limit', '200', 'pipe:1',
      ], { stdio: ['ignore', 'pipe', 'inherit'] });
      rec.stdout.on('data', (chunk: Buffer) => {
        for (let i = 0; i < chunk.length; i += 4096) mc?.pushChunk(chunk.subarray(i, i + 4096));
      });
      try {
        await waitForAllLive(mc, 8000);
        const results = await pullAll('mkv', 'video', 20);
        for (const r of results) {
          expect(codecsSeen(r.packets)).toEqual(['aac', 'h264']);
          expect(r.packets.filter((p) => p.codecType === 'video').length).toBeGreaterThan(20);
        }
      } finally {
        rec.kill('SIGKILL');
      }
    });
  }
});
