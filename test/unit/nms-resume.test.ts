// A publisher that returns within node-media-server's grace window, on the library's own broadcast
// object and packets parsed by its own FLV code (from real ffmpeg output): a return with the same
// tracks keeps the viewers, also when its audio starts before its video's sequence header (as
// OBS-like publishers send it); a return with audio alone lets the viewers set up for video go, and
// a player joining after it gets no stale video header or GOP.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keepContinuousTimeline, type NmsSession } from '../../app/media/nms-bridge.js';
import { FlvParser } from '../../main/engine/flv/flv-parser.js';
import { TAG_AUDIO, TAG_VIDEO, isSequenceHeader, type FlvTag } from '../../main/engine/flv/flv-tag.js';

const require = createRequire(import.meta.url);

interface Packet {
  codec_type: number;
  flags: number;
  dts: number;
}
interface Broadcast {
  postPublish(s: unknown): string | null;
  donePublish(s: unknown): void;
  postPlay(s: unknown): string | null;
  broadcastMessage(p: Packet): void;
  _finishPublish(): void;
}
const BroadcastServer = require('node-media-server/src/server/broadcast_server.js') as new (path: string) => Broadcast;
const Flv = require('node-media-server/src/protocol/flv.js') as { parserTag(type: number, time: number, size: number, data: Buffer): Packet };
const Context = require('node-media-server/src/core/context.js') as { config: unknown };

let av: FlvTag[];
let audioOnly: FlvTag[];
const open: Broadcast[] = [];

function tagsOf(bytes: Buffer): FlvTag[] {
  const tags: FlvTag[] = [];
  new FlvParser(() => {}, (t) => tags.push(t)).push(bytes);
  return tags;
}

function ffmpegFlv(inputs: string[], codecs: string[]): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', ...inputs, '-t', '1', ...codecs, '-f', 'flv', 'pipe:1'], { maxBuffer: 16 * 1024 * 1024 });
}

/** A player as the library sees one: what it was sent, and whether its connection was dropped. */
function viewer(id: string) {
  const sent: Buffer[] = [];
  const v = {
    id,
    ip: '127.0.0.1',
    protocol: 'flv',
    dropped: false,
    sent,
    sendBuffer: (b: Buffer) => sent.push(b),
    socket: { once: () => {}, destroy: () => (v.dropped = true) },
  };
  return v;
}

const publisher = (id: string, b: Broadcast) => ({ id, ip: '127.0.0.1', protocol: 'rtmp', broadcast: b, streamPath: '/live/main' });

function send(b: Broadcast, tags: FlvTag[]): void {
  for (const t of tags) b.broadcastMessage(Flv.parserTag(t.type, t.timestamp, t.data.length, t.data));
}

/** A broadcast with one publish of `first` and one viewer, then the publisher gone (grace running). */
function afterGap(first: FlvTag[]) {
  const b = new BroadcastServer('/live/main');
  open.push(b);
  const p1 = publisher('p1', b);
  expect(b.postPublish(p1)).toBeNull();
  keepContinuousTimeline(p1 as unknown as NmsSession);
  send(b, first);
  const v = viewer('v1');
  b.postPlay(v);
  b.donePublish(p1);
  const p2 = publisher('p2', b);
  expect(b.postPublish(p2)).toBeNull(); // resumed within the grace window
  keepContinuousTimeline(p2 as unknown as NmsSession, (s) => (s as unknown as { id: string }).id !== 'internal');
  return { b, v, p2 };
}

beforeAll(() => {
  Context.config = {};
  av = tagsOf(ffmpegFlv(['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=30', '-f', 'lavfi', '-i', 'sine'], ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac']));
  audioOnly = tagsOf(ffmpegFlv(['-f', 'lavfi', '-i', 'sine'], ['-c:a', 'aac']));
});

afterEach(() => {
  for (const b of open.splice(0)) b._finishPublish();
});

describe('a publisher returning within the grace window', () => {
  it('with the same tracks keeps its viewers, even when its audio comes before its video sequence header', () => {
    const { b, v } = afterGap(av);
    // Metadata, the audio header and audio frames first; the video header only after them.
    const videoHeader = av.find((t) => t.type === TAG_VIDEO && isSequenceHeader(t))!;
    const rest = av.filter((t) => t !== videoHeader);
    const firstVideo = rest.findIndex((t) => t.type === TAG_VIDEO);
    send(b, [...rest.slice(0, firstVideo).filter((t) => t.type !== TAG_VIDEO), videoHeader, ...rest.slice(firstVideo)]);
    expect(v.dropped).toBe(false);
  });

  it('with audio alone lets the viewers set up for video go, and a new player gets no stale video', () => {
    const { b, v } = afterGap(av);
    const internal = viewer('internal');
    b.postPlay(internal);
    send(b, audioOnly);
    expect(v.dropped).toBe(true);
    expect(internal.dropped).toBe(false); // the node's own readers stay
    const late = viewer('v2');
    b.postPlay(late);
    const types = late.sent.slice(1).map((buf) => buf[0]); // after the FLV header
    expect(types).toContain(TAG_AUDIO);
    expect(types).not.toContain(TAG_VIDEO);
  });

  it('with video again after audio alone lets the audio-only viewers go', () => {
    const { b, v } = afterGap(audioOnly);
    send(b, av);
    expect(v.dropped).toBe(true);
  });

  it('that went away again before its first frame is compared with the tracks from before it', () => {
    const { b, v, p2 } = afterGap(av);
    b.donePublish(p2); // gone again before sending anything
    const p3 = publisher('p3', b);
    expect(b.postPublish(p3)).toBeNull();
    keepContinuousTimeline(p3 as unknown as NmsSession);
    send(b, av);
    expect(v.dropped).toBe(false);
  });

  it('with audio alone does not make new players replay every audio frame since the switch', () => {
    const { b } = afterGap(av);
    for (let i = 0; i < 5; i++) send(b, audioOnly.map((t) => ({ ...t, timestamp: t.timestamp + i * 1000 })));
    const late = viewer('v2');
    b.postPlay(late);
    // FLV header, metadata and the audio header: no backlog of old audio (an audio stream has no GOP).
    expect(late.sent.length).toBeLessThanOrEqual(3);
  });

  it('refused as a second publisher leaves the live publish as it is', () => {
    const { b, v } = afterGap(av);
    send(b, av); // p2 is live
    const intruder = { ...publisher('p3', b), ip: '10.0.0.9' };
    expect(b.postPublish(intruder)).toMatch(/already has a publisher/);
    keepContinuousTimeline(intruder as unknown as NmsSession);
    const late = viewer('v3');
    b.postPlay(late);
    expect(late.sent.slice(1).map((buf) => buf[0])).toContain(TAG_VIDEO);
    expect(v.dropped).toBe(false);
  });
});
