// The test fixtures are real servers, so they get tests of their own: ffmpeg's
// test pattern published to node-media-server and to nginx-rtmp reaches a player
// as h264 + aac; restart keeps the port; pause silences, resume revives. It also
// pins down how each server turns away a publish it does not want, as ffmpeg
// (the engine's publisher) reports it.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { probeRtmp } from '../../main/engine/rtmp/rtmp-probe.js';
import { signNmsPublish, startNms, type NmsHandle } from '../support/nms-fixture.js';
import { startNginxRtmp, type NginxRtmpHandle } from '../support/nginx-rtmp-fixture.js';
import { codecsSeen, firstKeyframeMs, maxDtsGapMs, packetsPerSecond, pullRtmp, type PulledPacket } from '../support/rtmp-pull.js';
import { waitFor } from '../support/wait-for.js';

interface PublishExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stderr: string;
}

interface Publisher {
  exited: Promise<PublishExit>;
  /** The server took the publish: ffmpeg writes its output header only after NetStream.Publish.Start. */
  joined(): boolean;
  stop(): Promise<PublishExit>;
}

const publishers = new Set<ChildProcess>();

/** ffmpeg's test pattern as a live RTMP publish; killed after maxMs at the latest. */
function publishTestPattern(url: string, maxMs = 20_000): Publisher {
  const t0 = Date.now();
  const child = spawn('ffmpeg', [
    '-hide_banner', '-nostdin', '-nostats',
    '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30',
    '-f', 'lavfi', '-i', 'sine',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30',
    '-c:a', 'aac', '-f', 'flv', url,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  publishers.add(child);
  let stderr = '';
  let joined = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-16_384);
    joined ||= /^Output #0, flv/m.test(stderr);
  });
  const limit = setTimeout(() => child.kill('SIGKILL'), maxMs);
  const exited = new Promise<PublishExit>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(limit);
      publishers.delete(child);
      resolve({ code, signal, ms: Date.now() - t0, stderr });
    });
  });
  return {
    exited,
    joined: () => joined,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Both media present, with enough of each to call it a stream. */
const flowing = (ps: readonly PulledPacket[]): boolean =>
  ps.filter((p) => p.codec === 'h264').length >= 30 && ps.filter((p) => p.codec === 'aac').length >= 30;

/** Both media have started. */
const started = (ps: readonly PulledPacket[]): boolean =>
  ps.some((p) => p.codec === 'h264' && p.keyframe) && ps.some((p) => p.codec === 'aac');

/** ffmpeg's stderr without the encoder chatter, for readable failure messages. */
const essentials = (stderr: string): string =>
  stderr
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !/^\s|^\[(libx264|aac) @|^(Input|Output|Stream mapping|Press|video:)/.test(l))
    .join('\n');

afterEach(() => {
  for (const c of publishers) c.kill('SIGKILL');
});

interface ServerUnderTest {
  rtmpPort: number;
  readonly pid: number;
  url(app: string, name?: string): string;
  kill(signal?: NodeJS.Signals): void;
  restart(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const kinds: Array<{ name: string; start: () => Promise<ServerUnderTest> }> = [
  { name: 'node-media-server', start: () => startNms() },
  { name: 'nginx-rtmp', start: () => startNginxRtmp() },
];

describe.each(kinds)('$name fixture', ({ start }) => {
  let server: ServerUnderTest;

  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('carries the ffmpeg test pattern to a player as h264 + aac', async () => {
    const pub = publishTestPattern(server.url('live', 'pattern'));
    const pull = pullRtmp(server.url('live', 'pattern'), { durationMs: 12_000 });
    const ok = await pull.waitFor(flowing, 10_000);
    const result = await pull.stop();
    await pub.stop();
    expect(ok, `player saw ${result.packets.length} packets\n${result.stderr.slice(-2000)}`).toBe(true);

    expect(codecsSeen(result.packets)).toEqual(['aac', 'h264']);
    expect(result.streams.map((s) => s.codec).sort()).toEqual(['aac', 'h264']);
    expect(firstKeyframeMs(result.packets)).not.toBeNull();
    expect(result.endedBy).toBe('stop');
    // 30 fps video and ~43 packets/s AAC: consecutive dts stay close together.
    const gaps = maxDtsGapMs(result.packets);
    expect(gaps.video).toBeGreaterThan(0);
    expect(gaps.video).toBeLessThan(150);
    expect(gaps.audio).toBeLessThan(150);
    expect(packetsPerSecond(result.packets, 'video')).toBeGreaterThan(10);
  });

  it('restarts on the same port with a new process, and carries a stream again', async () => {
    const { pid, rtmpPort } = server;
    await server.restart();
    expect(server.rtmpPort).toBe(rtmpPort);
    expect(server.pid).not.toBe(pid);
    expect((await probeRtmp(server.url('live'))).result).toBe('ready');

    // Played back once the publisher is in on the new process, so the player's deadline is its own.
    const pub = publishTestPattern(server.url('live', 'again'));
    await waitFor(() => pub.joined(), { timeoutMs: 15_000, what: 'the publisher in on the restarted server' });
    const pull = pullRtmp(server.url('live', 'again'), { durationMs: 20_000 });
    const ok = await pull.waitFor(started, 15_000);
    const result = await pull.stop();
    await pub.stop();
    expect(ok, result.stderr.slice(-2000)).toBe(true);
  });

  it('kill() crashes it (the port refuses) and restart() brings it back on the same port', async () => {
    server.kill('SIGKILL');
    const refused = await waitFor(async () => (await probeRtmp(server.url('live'), { timeoutMs: 500 })).result === 'refused', {
      timeoutMs: 5000,
      intervalMs: 50,
      what: 'the killed server to refuse',
    }).catch(() => false);
    expect(refused).toBe(true);
    await server.restart();
    expect((await probeRtmp(server.url('live'))).result).toBe('ready');
  });

  it('pause() leaves the port accepting but silent; resume() brings it back', async () => {
    server.pause();
    try {
      const o = await probeRtmp(server.url('live'), { timeoutMs: 800 });
      expect(o.result).toBe('timeout');
      expect(o.message).toMatch(/RTMP handshake/);
    } finally {
      server.resume();
    }
    const o = await probeRtmp(server.url('live'));
    expect(o.result).toBe('ready');
  });
});

describe('how the servers turn a publish away, as ffmpeg reports it', () => {
  const secret = 'fixture-secret';
  let nms: NmsHandle;
  let nginx: NginxRtmpHandle;

  beforeAll(async () => {
    [nms, nginx] = await Promise.all([startNms({ publishSecret: secret, logLevel: 'info' }), startNginxRtmp()]);
  });
  afterAll(async () => {
    await Promise.all([nms?.stop(), nginx?.stop()]);
  });

  it('node-media-server with auth.publish plays a signed publish and cuts an unsigned one', async () => {
    // Unsigned: the server answers NetStream.Publish.Start, then checks the
    // signature and hangs up. ffmpeg only ever sees the socket close.
    const bad = await publishTestPattern(nms.url('live', 'cam'), 8_000).exited;
    expect(bad.code).toBe(1);
    expect(bad.ms).toBeLessThan(5_000);
    expect(bad.stderr, essentials(bad.stderr)).toMatch(/av_interleaved_write_frame\(\): End of file/);
    expect(nms.output()).toMatch(/publish stream \/live\/cam authentication verification failed/);

    const exp = Math.floor(Date.now() / 1000) + 60;
    const signed = `${nms.url('live', 'cam')}?sign=${signNmsPublish('/live/cam', secret, exp)}`;
    const pub = publishTestPattern(signed);
    const pull = pullRtmp(nms.url('live', 'cam'), { durationMs: 10_000 });
    const ok = await pull.waitFor(started, 8_000);
    const result = await pull.stop();

    // A second publisher on a held stream is cut exactly the same way.
    const second = await publishTestPattern(signed, 8_000).exited;
    await pub.stop();
    expect(ok, result.stderr.slice(-2000)).toBe(true);
    expect(second.code).toBe(1);
    expect(second.stderr, essentials(second.stderr)).toMatch(/av_interleaved_write_frame\(\): End of file/);
    expect(nms.output()).toMatch(/streamPath=\/live\/cam already has a publisher/);
  });

  it('nginx-rtmp says why: no application, or already publishing', async () => {
    const noApp = await publishTestPattern(nginx.url('nosuchapp', 'cam'), 8_000).exited;
    expect(noApp.code).toBe(1);
    expect(noApp.stderr, essentials(noApp.stderr)).toMatch(/Input\/output error/);

    const first = publishTestPattern(nginx.url('live', 'cam'));
    const pull = pullRtmp(nginx.url('live', 'cam'), { durationMs: 10_000 });
    const ok = await pull.waitFor(started, 8_000);
    await pull.stop();
    const second = await publishTestPattern(nginx.url('live', 'cam'), 8_000).exited;
    await first.stop();
    expect(ok).toBe(true);
    expect(second.code).toBe(1);
    expect(second.stderr, essentials(second.stderr)).toMatch(/Server error: Already publishing/);
  });
});
