// The in-process publisher against servers nobody here wrote: ffmpeg's own RTMP listener, nginx-rtmp
// (a taken stream name, a missing application, a re-join with a continuous timeline) and RTMPS
// through HAProxy terminating TLS in front of nginx-rtmp (trusted CA, untrusted CA, wrong name,
// SNI). Every stream is pulled back and decoded by ffmpeg.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { trustedCertificates } from '../../main/engine/rtmp/trust-store.js';
import { SMALL_TEST_SOURCE, decodeFrames, waitForState } from '../support/engine-harness.js';
import { type NginxRtmpHandle, startNginxRtmp } from '../support/nginx-rtmp-fixture.js';
import { freePort } from '../support/ports.js';
import { type EncodedRelays, encodeTo, listening, relay } from '../support/publisher-encode.js';
import { makeTestCa, startTlsProxy, type TestCa, type TlsProxy } from '../support/publisher-tls-proxy.js';
import { codecsSeen, maxDtsGapMs, pullRtmp } from '../support/rtmp-pull.js';
import { waitFor } from '../support/wait-for.js';

let nginx: NginxRtmpHandle;
let ca: TestCa;
let proxy: TlsProxy;

beforeAll(async () => {
  nginx = await startNginxRtmp();
  ca = makeTestCa('localhost');
  proxy = await startTlsProxy(ca, nginx.rtmpPort);
});
afterAll(async () => {
  await Promise.all([nginx?.stop(), proxy?.stop()]);
  ca?.remove();
});

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stderr: stderr.trim(), stdout });
    });
  });
}

async function probeFile(file: string): Promise<{ codecs: string[]; video: number; audio: number }> {
  const r = await run('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type:stream=codec_name', '-of', 'json', file], 20_000);
  const j = JSON.parse(r.stdout) as { streams: { codec_name: string }[]; packets: { codec_type: string }[] };
  return {
    codecs: j.streams.map((s) => s.codec_name).sort(),
    video: j.packets.filter((p) => p.codec_type === 'video').length,
    audio: j.packets.filter((p) => p.codec_type === 'audio').length,
  };
}

describe('publisher against real servers', () => {
  for (const variant of [
    { name: 'H.264 + AAC', spec: SMALL_TEST_SOURCE, codecs: ['aac', 'h264'] },
    { name: 'audio only', spec: { kind: 'audio-test' }, codecs: ['aac'] },
  ]) {
    it(`publishes ${variant.name} to ffmpeg's own RTMP listener, which records a stream that decodes`, async () => {
      const port = await freePort();
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-listen-')), 'got.flv');
      const listener = run('ffmpeg', ['-hide_banner', '-v', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/sk-listen-123`, '-t', '3', '-c', 'copy', '-f', 'flv', out], 30_000);
      await waitFor(() => listening(port, fs.readFileSync('/proc/net/tcp', 'utf8')), { timeoutMs: 10_000, what: 'ffmpeg listening' });
      const live = encodeTo(variant.spec, (cache) => [relay(cache, `rtmp://127.0.0.1:${port}/live/sk-listen-123`)]);
      try {
        await waitFor(() => live.relays[0]!.currentState === 'live', { timeoutMs: 10_000, what: 'live on the listener' });
        const got = await listener;
        expect(got.stderr).toBe('');
        expect(got.code).toBe(0);
      } finally {
        await live.stop();
      }
      const p = await probeFile(out);
      expect(p.codecs).toEqual(variant.codecs);
      expect(p.audio).toBeGreaterThan(100); // ~3 s of AAC frames at 21 ms
      if (variant.codecs.includes('h264')) expect(p.video).toBeGreaterThan(60);
      const decoded = await run('ffmpeg', ['-v', 'error', '-i', out, '-f', 'null', '-'], 20_000);
      expect(decoded.stderr).toBe('');
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    });
  }

  it('names a stream another publisher holds on nginx-rtmp ("Already publishing") and an application nginx-rtmp lacks', async () => {
    const first = encodeTo(SMALL_TEST_SOURCE, (cache) => [relay(cache, nginx.url('live', 'held')), relay(cache, nginx.url('nosuchapp', 'x'))]);
    let second: EncodedRelays | null = null;
    try {
      await waitFor(() => first.relays[0]!.currentState === 'live', { timeoutMs: 10_000, what: 'the first publisher live' });
      second = encodeTo({ kind: 'audio-test' }, (cache) => [relay(cache, nginx.url('live', 'held'))]);
      await waitFor(() => second!.relays[0]!.snapshot().reason === 'stream-in-use', { timeoutMs: 10_000, what: 'stream-in-use' });
      expect(second.relays[0]!.snapshot().message).toMatch(/Another publisher holds this stream .*Already publishing/);
      await waitFor(() => first.relays[1]!.snapshot().reason === 'app-not-found', { timeoutMs: 10_000, what: 'app-not-found' });
      expect(first.relays[1]!.snapshot().message).toMatch(/no application "nosuchapp"/);
      expect(first.relays[0]!.currentState).toBe('live');
    } finally {
      await Promise.all([first.stop(), second?.stop()]);
    }
  });

  it('re-joins nginx-rtmp on retry() with a continuous timeline that a player follows across the drop', async () => {
    const mc = new MultiConnection();
    try {
      await mc.connect([{ id: 'c', url: nginx.url('live', 'rejoin') }]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForState(mc, 'c', 'live', 6000);
      const pull = pullRtmp(nginx.url('live', 'rejoin'), { durationMs: 30_000, analyzeDurationUs: 1_500_000 });
      expect(await pull.waitFor((p) => p.length > 60, 6000)).toBe(true);
      mc.retry('c');
      await waitForState(mc, 'c', 'connecting', 2000);
      await waitForState(mc, 'c', 'live', 6000);
      // Played on until a second of frames came after the re-join (not for a fixed 8 s in all).
      const video = (ps: readonly { codecType: string }[]) => ps.filter((p) => p.codecType === 'video').length;
      const atRejoin = video(pull.packets);
      await pull.waitFor((ps) => video(ps) > atRejoin + 30, 15_000);
      const r = await pull.stop();
      expect(codecsSeen(r.packets)).toEqual(['aac', 'h264']);
      for (const type of ['video', 'audio'] as const) {
        const dts = r.packets.filter((p) => p.codecType === type && p.dtsMs !== null).map((p) => p.dtsMs!);
        const steps = dts.slice(1).map((d, i) => d - dts[i]!);
        expect(Math.min(...steps), `${type} never goes back`).toBeGreaterThanOrEqual(0);
      }
      expect(maxDtsGapMs(r.packets).video).toBeLessThan(1500);
      expect(mc.snapshots()[0]!.metrics.reconnects).toBe(1);
      const decoded = await decodeFrames(nginx.url('live', 'rejoin'), 30);
      expect(decoded.errors).toBe('');
    } finally {
      await mc.stop();
    }
  });

  it('publishes over RTMPS through HAProxy to nginx-rtmp with a CA from NODE_EXTRA_CA_CERTS, sending SNI; an untrusted or misnamed certificate is named', async () => {
    const trusted = tls.createSecureContext({ ca: trustedCertificates({ NODE_EXTRA_CA_CERTS: ca.caFile }) });
    const url = `rtmps://localhost:${proxy.port}/live/tls-key-123`;
    const live = encodeTo(SMALL_TEST_SOURCE, (cache) => [
      relay(cache, url, { secureContext: trusted }),
      relay(cache, url.replace('tls-key-123', 'other-key-123')), // the default store: our CA is not in it
      relay(cache, `rtmps://127.0.0.1:${proxy.port}/live/ip-key-123`, { secureContext: trusted }), // no name: no SNI, and the name does not match
    ]);
    try {
      await waitFor(() => live.relays[0]!.currentState === 'live', { timeoutMs: 10_000, what: 'live over RTMPS' });
      // Played until the frames checked arrived (deadline 15 s), not for a fixed 4 s.
      const pull = pullRtmp(nginx.url('live', 'tls-key-123'), { durationMs: 15_000, analyzeDurationUs: 1_500_000 });
      await pull.waitFor((ps) => codecsSeen(ps).length === 2 && ps.filter((p) => p.codecType === 'video').length > 20);
      const pulled = await pull.stop();
      expect(codecsSeen(pulled.packets)).toEqual(['aac', 'h264']);
      expect(pulled.packets.filter((p) => p.codecType === 'video').length).toBeGreaterThan(20);
      await waitFor(() => live.relays[1]!.snapshot().reason === 'tls-certificate', { timeoutMs: 10_000, what: 'untrusted certificate' });
      expect(live.relays[1]!.snapshot().message).toMatch(/TLS with localhost:\d+ failed: the certificate is not trusted: .*certificate/);
      await waitFor(() => live.relays[2]!.snapshot().reason === 'tls-certificate', { timeoutMs: 10_000, what: 'misnamed certificate' }).catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(live.relays[2]!.snapshot())}`);
      });
      expect(live.relays[2]!.snapshot().message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
      for (const r of live.relays) expect(r.snapshot().message).not.toMatch(/key-123/);
    } finally {
      await live.stop();
    }
  });
});
