// The viewer page maps cue stamps (FLV timestamps) onto video.currentTime with the base mpegts.js's
// remuxer subtracts. The page cannot ask mpegts.js for it, so it reads it from the bytes as the
// loader hands them over. Here both run on the same chunks of a real FLV stream (ffmpeg, H.264 + AAC,
// a start time far from 0, video starting 100 ms after audio, and the first keyframe sent before
// the first audio frames, as a node's GOP cache can): mpegts.js's own FLV demuxer and MP4 remuxer,
// fed the way its IO controller feeds them with the stash buffer off, and the page's sniffer
// (app/viewer/src/flv-base.ts). Over many random chunkings, from single bytes to 64 KiB, they must agree
// exactly (and the chunking does change mpegts.js's answer: keyframe alone, or with audio). The
// page's track gate runs first, as in the page: node-media-server's header always announces video,
// and an audio-only stream only plays once the gate has corrected it from onMetaData.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlvParser, type FlvHeader } from '../../main/engine/flv/flv-parser.js';
import { TAG_AUDIO, TAG_VIDEO, isSequenceHeader, type FlvTag } from '../../main/engine/flv/flv-tag.js';
import { encodeFlvHeader, encodeFlvTag } from '../../main/engine/flv/flv-writer.js';
import { createFlvBaseSniffer } from '../../app/viewer/src/flv-base.js';
import { createTrackGate } from '../../app/viewer/src/track-gate.js';
import { REPO } from '../support/node-process.js';

interface MpegtsParts {
  FLVDemuxer: {
    new (probe: unknown, config: unknown): Record<string, unknown> & { parseChunks(chunk: ArrayBuffer, byteStart: number): number };
    probe(buf: ArrayBuffer): unknown;
  };
  MP4Remuxer: new (config: unknown) => Record<string, unknown> & { bindDataSource(d: unknown): unknown; getTimestampBase(): number | undefined };
  defaultConfig: Record<string, unknown>;
}

let flv: ArrayBuffer;
let audioOnly: ArrayBuffer;
let mp: MpegtsParts;

async function loadMpegts(): Promise<MpegtsParts> {
  const g = globalThis as Record<string, unknown>;
  g.self ??= globalThis; // mpegts.js's sources expect a browser or worker global
  if (!('navigator' in g)) g.navigator = { userAgent: 'node' };
  const src = path.join(REPO, 'node_modules/mpegts.js/src');
  const [demux, remux, config] = await Promise.all([
    import(/* @vite-ignore */ `${src}/demux/flv-demuxer.js`),
    import(/* @vite-ignore */ `${src}/remux/mp4-remuxer.js`),
    import(/* @vite-ignore */ `${src}/config.js`),
  ]);
  return { FLVDemuxer: demux.default, MP4Remuxer: remux.default, defaultConfig: config.defaultConfig };
}

/** mpegts.js's base for this chunking: demuxer + remuxer, fed as its IO controller does without a stash. */
function mpegtsBase(chunks: ArrayBuffer[]): number | undefined {
  const config = { ...mp.defaultConfig, isLive: true, enableStashBuffer: false };
  // The page's media data source names no tracks: mpegts.js takes them from the FLV header.
  const demuxer = new mp.FLVDemuxer(mp.FLVDemuxer.probe(chunks[0]!), config);
  demuxer.timestampBase = 0;
  for (const cb of ['onError', 'onMediaInfo', 'onMetaDataArrived', 'onScriptDataArrived']) demuxer[cb] = () => {};
  const remuxer = new mp.MP4Remuxer(config);
  remuxer.bindDataSource(demuxer);
  remuxer.onInitSegment = () => {};
  remuxer.onMediaSegment = () => {};
  let pending = new Uint8Array(0);
  let pendingStart = 0;
  for (const c of chunks) {
    const joined = new Uint8Array(pending.length + c.byteLength);
    joined.set(pending);
    joined.set(new Uint8Array(c), pending.length);
    const consumed = demuxer.parseChunks(joined.buffer, pendingStart);
    pending = joined.slice(consumed);
    pendingStart += consumed;
    const base = remuxer.getTimestampBase();
    if (base !== undefined) return base;
  }
  return undefined;
}

function sniffedBase(chunks: ArrayBuffer[]): number | undefined {
  let base: number | undefined;
  const feed = createFlvBaseSniffer((ts) => (base = ts));
  for (const c of chunks) {
    feed(c);
    if (base !== undefined) return base;
  }
  return base;
}

/** Splits the stream into chunks of random sizes up to `max` bytes (seeded, so failures repeat). */
function chunked(seed: number, max: number, stream = flv): ArrayBuffer[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: ArrayBuffer[] = [];
  for (let at = 0; at < stream.byteLength;) {
    const n = Math.max(1, Math.floor(rand() * max));
    out.push(stream.slice(at, at + n));
    at += n;
  }
  return out;
}

/** The page's loader path: chunks through the track gate, as mpegts.js would then get them. */
function gated(chunks: ArrayBuffer[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const feed = createTrackGate((c) => out.push(c));
  for (const c of chunks) feed(c);
  return out;
}

const toArrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;

/** The stream with its first keyframe moved ahead of the audio frames that precede it in time. */
function keyframeFirst(bytes: Buffer): Buffer {
  let header: FlvHeader | null = null;
  const tags: FlvTag[] = [];
  new FlvParser((h) => (header = h), (t) => tags.push(t)).push(bytes);
  const firstAudio = tags.findIndex((t) => t.type === TAG_AUDIO && !isSequenceHeader(t));
  const firstVideo = tags.findIndex((t) => t.type === TAG_VIDEO && !isSequenceHeader(t));
  if (firstAudio < 0 || firstVideo < firstAudio) throw new Error('expected audio frames before the first keyframe');
  const [key] = tags.splice(firstVideo, 1);
  tags.splice(firstAudio, 0, key!);
  return Buffer.concat([encodeFlvHeader(header!), ...tags.map((t) => encodeFlvTag(t.type, t.timestamp, t.data))]);
}

beforeAll(async () => {
  const bytes = execFileSync('ffmpeg', [
    '-hide_banner', '-v', 'error', '-itsoffset', '0.1', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30', '-f', 'lavfi', '-i', 'sine=sample_rate=48000',
    '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-c:a', 'aac',
    '-output_ts_offset', '12345.678', '-f', 'flv', 'pipe:1',
  ], { maxBuffer: 64 * 1024 * 1024 });
  // node-media-server's FLV header announces audio and video whatever the stream carries.
  const stream = keyframeFirst(bytes);
  stream[4] = 5;
  flv = toArrayBuffer(stream);
  const audio = execFileSync('ffmpeg', [
    '-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '3', '-c:a', 'aac',
    '-output_ts_offset', '777.5', '-f', 'flv', 'pipe:1',
  ], { maxBuffer: 16 * 1024 * 1024 });
  audio[4] = 5;
  audioOnly = toArrayBuffer(audio);
  mp = await loadMpegts();
});

// mpegts.js demuxing a 300 KB stream in chunks of a few bytes, 190 times, takes seconds of CPU: on
// a machine shared with other test runs it can take longer than vitest's 5 s default.
const SLOW_MS = 60_000;

describe('viewer page FLV timestamp base', () => {
  it('is the base mpegts.js uses, for the whole stream in one chunk', () => {
    const chunks = gated([flv]);
    expect(new Uint8Array(chunks[0]!)[4]).toBe(5); // audio and video: the header was right
    const base = mpegtsBase(chunks);
    expect(base).toBeGreaterThanOrEqual(12_345_000);
    expect(sniffedBase(chunks)).toBe(base);
  });

  it('lets mpegts.js play an audio-only stream whose header announces video too', () => {
    // Without the gate mpegts.js waits for video forever: no base, nothing to play.
    expect(mpegtsBase(chunked(7, 4096, audioOnly))).toBeUndefined();
    for (let seed = 1; seed <= 40; seed++) {
      const chunks = gated(chunked(seed, [16, 300, 4096, 65_536][seed % 4]!, audioOnly));
      expect(new Uint8Array(chunks[0]!)[4], `seed ${seed}`).toBe(4);
      const theirs = mpegtsBase(chunks);
      expect(theirs, `seed ${seed}`).toBeGreaterThanOrEqual(777_000);
      expect(sniffedBase(chunks), `seed ${seed}`).toBe(theirs);
    }
  }, SLOW_MS);

  it('is the base mpegts.js uses, whatever the chunking', () => {
    const bases = new Set<number>();
    for (let seed = 1; seed <= 150; seed++) {
      const max = [16, 300, 4096, 65_536][seed % 4]!;
      const chunks = gated(chunked(seed, max));
      const theirs = mpegtsBase(chunks);
      expect(theirs, `seed ${seed}`).toBeDefined();
      expect(sniffedBase(chunks), `seed ${seed}, chunks up to ${max} bytes`).toBe(theirs);
      bases.add(theirs!);
    }
    // Chunking changes which frames are in mpegts.js's first batch, and so its base.
    expect(bases.size).toBeGreaterThan(1);
  }, SLOW_MS);
});
