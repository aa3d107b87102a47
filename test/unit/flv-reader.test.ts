// The one FLV tag reader (common/flv-reader.ts), fed plain Uint8Arrays as the viewer page does and
// Buffers as the engine and the node do: the same tags whatever the chunking, the extended
// timestamp byte, the header and its flags, PreviousTagSize checks and the tag size bound.
import { describe, expect, it } from 'vitest';
import {
  FLV_MAX_TAG_SIZE,
  FlvReadError,
  FlvReader,
  TAG_AUDIO,
  TAG_SCRIPT,
  TAG_VIDEO,
  audioPacket,
  videoPacket,
  type FlvFileHeader,
} from '../../common/flv-reader.js';

interface Tag { type: number; timestamp: number; body: number[] }

function header(flags = 5, dataOffset = 9): Uint8Array {
  const h = new Uint8Array(Math.max(dataOffset, 9) + 4);
  h.set([0x46, 0x4c, 0x56, 1, flags, (dataOffset >>> 24) & 0xff, (dataOffset >>> 16) & 0xff, (dataOffset >>> 8) & 0xff, dataOffset & 0xff]);
  return h; // the extra header bytes and PreviousTagSize0 are zeros
}

function tag(t: Tag, prevTagSize = 11 + t.body.length): Uint8Array {
  const n = t.body.length;
  const out = new Uint8Array(11 + n + 4);
  out.set([t.type, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, (t.timestamp >> 16) & 0xff, (t.timestamp >> 8) & 0xff, t.timestamp & 0xff, (t.timestamp >>> 24) & 0xff, 0, 0, 0]);
  out.set(t.body, 11);
  out.set([(prevTagSize >>> 24) & 0xff, (prevTagSize >>> 16) & 0xff, (prevTagSize >>> 8) & 0xff, prevTagSize & 0xff], 11 + n);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const TAGS: Tag[] = [
  { type: TAG_SCRIPT, timestamp: 0, body: [2, 0, 10, ...Array.from('onMetaData', (c) => c.charCodeAt(0)), 8, 0, 0, 0, 0, 0, 0, 9] },
  { type: TAG_VIDEO, timestamp: 0, body: [0x17, 0, 0, 0, 0, 1, 2, 3] },
  { type: TAG_AUDIO, timestamp: 0, body: [0xaf, 0, 0x11, 0x90] },
  { type: TAG_VIDEO, timestamp: 33, body: Array.from({ length: 5000 }, (_, i) => (i < 2 ? [0x17, 1][i]! : i & 0xff)) },
  { type: TAG_AUDIO, timestamp: 21, body: [0xaf, 1, 9, 9, 9] },
  { type: TAG_VIDEO, timestamp: 66, body: [] },
  // Beyond 24 bits: the extension byte is the timestamp's top 8 bits.
  { type: TAG_VIDEO, timestamp: 0x01_23_45_67, body: [0x27, 1, 0, 0, 0] },
  { type: TAG_VIDEO, timestamp: 0xfe_ff_ff_ff, body: [0x27, 1, 0, 0, 0, 7] },
];
const STREAM = concat([header(), ...TAGS.map((t) => tag(t))]);

/** Reads `bytes` in chunks of the sizes `sizes` gives, each chunk a fresh copy the test then scribbles over. */
function read(bytes: Uint8Array, sizes: (i: number) => number, make: (b: Uint8Array) => Uint8Array = (b) => new Uint8Array(b)): { header: FlvFileHeader | null; tags: Tag[] } {
  let h: FlvFileHeader | null = null;
  const tags: Tag[] = [];
  const r = new FlvReader({ onHeader: (x) => (h = x), onTag: (t) => tags.push({ type: t.type, timestamp: t.timestamp, body: Array.from(t.body) }) });
  for (let i = 0, at = 0; at < bytes.length; i++) {
    const n = Math.max(1, Math.min(sizes(i), bytes.length - at));
    const chunk = make(bytes.subarray(at, at + n));
    r.push(chunk);
    chunk.fill(0xee); // the reader keeps copies of what it still needs, never the caller's buffer
    at += n;
  }
  return { header: h, tags };
}

/** A compact, exact fingerprint of a tag list (deep equality of long arrays is slow in a loop). */
const digest = (tags: Tag[]) => tags.map((t) => `${t.type}:${t.timestamp}:${Buffer.from(t.body).toString('hex')}`).join('|');

function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** About a second of CPU: on a machine shared with other test runs, more than vitest's 5 s default. */
const SLOW_MS = 30_000;

describe('FlvReader', () => {
  it('reads the header and every tag from one chunk', () => {
    const out = read(STREAM, () => STREAM.length);
    expect(out.header).toEqual({ hasAudio: true, hasVideo: true });
    expect(out.tags).toEqual(TAGS);
  });

  it('reads the same tags whatever the chunking (split points, single bytes, 150 random chunkings)', () => {
    const want = digest(TAGS);
    for (let split = 1; split < STREAM.length; split += 7) {
      expect(digest(read(STREAM, (i) => (i === 0 ? split : STREAM.length)).tags), `split at ${split}`).toBe(want);
    }
    expect(digest(read(STREAM, () => 1).tags)).toBe(want);
    for (let seed = 1; seed <= 150; seed++) {
      const rand = seeded(seed);
      const max = [2, 13, 64, 700, 6000][seed % 5]!;
      expect(digest(read(STREAM, () => Math.floor(rand() * max) + 1).tags), `seed ${seed}`).toBe(want);
    }
  }, SLOW_MS);

  it('reads Buffers as well as Uint8Arrays, including Buffers that share one pool slab', () => {
    const pooled = read(STREAM, (i) => [5, 1, 17, 3][i % 4]!, (b) => Buffer.from(b));
    expect(pooled.tags).toEqual(TAGS);
  });

  it('honours the extended timestamp byte', () => {
    const out = read(STREAM, () => 7).tags.map((t) => t.timestamp);
    expect(out.slice(-2)).toEqual([0x01_23_45_67, 0xfe_ff_ff_ff]);
  });

  it('reads the header flags and skips a header longer than 9 bytes', () => {
    const audioOnly = concat([header(4, 13), tag(TAGS[2]!)]);
    const out = read(audioOnly, () => 3);
    expect(out.header).toEqual({ hasAudio: true, hasVideo: false });
    expect(out.tags).toEqual([TAGS[2]]);
    expect(read(concat([header(1), tag(TAGS[1]!)]), () => 100).header).toEqual({ hasAudio: false, hasVideo: true });
  });

  it('calls onHeader only once the header and PreviousTagSize0 are in, and nothing for a partial tag', () => {
    const seen: string[] = [];
    const r = new FlvReader({ onHeader: () => seen.push('header'), onTag: (t) => seen.push(`tag ${t.timestamp}`) });
    r.push(STREAM.subarray(0, 12));
    expect(seen).toEqual([]);
    r.push(STREAM.subarray(12, 13));
    expect(seen).toEqual(['header']);
    const first = tag(TAGS[0]!);
    r.push(STREAM.subarray(13, 13 + first.length - 1));
    expect(seen).toEqual(['header']);
    r.push(STREAM.subarray(13 + first.length - 1, 13 + first.length));
    expect(seen).toEqual(['header', 'tag 0']);
  });

  it('refuses what is not FLV, and a header of an impossible size, in words', () => {
    expect(() => new FlvReader({ onTag: () => {} }).push(new TextEncoder().encode('HTTP/1.1 404 Not Found\r\n'))).toThrow(/not FLV/);
    expect(() => new FlvReader({ onTag: () => {} }).push(header(5, 4))).toThrow(/bad FLV header size 4/);
    expect(() => new FlvReader({ onTag: () => {} }).push(header(5, 4096).subarray(0, 9))).toThrow(FlvReadError);
  });

  it('checks every PreviousTagSize, and stays failed until reset()', () => {
    const bad = concat([header(), tag(TAGS[1]!), tag(TAGS[2]!, 99), tag(TAGS[4]!)]);
    const seen: number[] = [];
    const r = new FlvReader({ onTag: (t) => seen.push(t.type) });
    expect(() => r.push(bad)).toThrow(/PreviousTagSize is 99 after a tag of 15 bytes/);
    expect(seen).toEqual([TAG_VIDEO]);
    expect(() => r.push(tag(TAGS[4]!))).toThrow(FlvReadError);
    r.reset();
    r.push(STREAM);
    expect(seen.length).toBe(1 + TAGS.length);
  });

  it('refuses a tag over the size bound from its header, before buffering its body', () => {
    const big = tag({ type: TAG_VIDEO, timestamp: 0, body: Array.from({ length: 2000 }, () => 1) });
    const r = new FlvReader({ onTag: () => {} }, { maxTagSize: 1000 });
    r.push(header());
    expect(() => r.push(big.subarray(0, 11))).toThrow(/FLV tag of 2000 bytes is over the bound of 1000/);
    // The format's own bound is the default: a 24-bit size always fits it.
    const max = new FlvReader({ onTag: () => {} });
    max.push(header());
    max.push(new Uint8Array([TAG_VIDEO, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]));
    expect(FLV_MAX_TAG_SIZE).toBe(0xffffff);
  });

  it('starts over after reset() (a new stream with a new header)', () => {
    const stamps: number[] = [];
    let headers = 0;
    const r = new FlvReader({ onHeader: () => headers++, onTag: (t) => stamps.push(t.timestamp) });
    r.push(STREAM.subarray(0, 100));
    r.reset();
    r.push(STREAM);
    expect(headers).toBe(2);
    expect(stamps.slice(-TAGS.length)).toEqual(TAGS.map((t) => t.timestamp));
  });
});

describe('what an FLV tag carries', () => {
  const v = (...b: number[]) => videoPacket(new Uint8Array(b));
  const a = (...b: number[]) => audioPacket(new Uint8Array(b));

  it('reads legacy AVC/HEVC packets, and other codecs as frames', () => {
    expect(v(0x17, 0)).toEqual({ kind: 'sequence-start', frameType: 1, hasConfig: true });
    expect(v(0x17, 1)).toEqual({ kind: 'frame', frameType: 1, hasConfig: true });
    expect(v(0x27, 1)).toEqual({ kind: 'frame', frameType: 2, hasConfig: true });
    expect(v(0x17, 2)).toEqual({ kind: 'sequence-end', frameType: 1, hasConfig: true });
    expect(v(0x1c, 0).kind).toBe('sequence-start'); // HEVC (codec 12)
    expect(v(0x24, 0)).toEqual({ kind: 'frame', frameType: 2, hasConfig: false }); // VP6
    expect(v(0x57, 0).frameType).toBe(5); // a video info/command frame
    expect(v(0x17).kind).toBe('other');
  });

  it('reads Enhanced FLV packets (ExHeader bit, PacketType in the low nibble)', () => {
    expect(v(0x90, 0x68, 0x76, 0x63, 0x31)).toEqual({ kind: 'sequence-start', frameType: 1, hasConfig: true });
    expect(v(0x91, 0x68).kind).toBe('frame');
    expect(v(0xa3, 0x68)).toEqual({ kind: 'frame', frameType: 2, hasConfig: true });
    expect(v(0x92, 0x68).kind).toBe('sequence-end');
    expect(v(0x94, 0x68).kind).toBe('other');
  });

  it('reads AAC configuration and frames, and other formats as frames', () => {
    expect(a(0xaf, 0)).toEqual({ kind: 'sequence-start', hasConfig: true });
    expect(a(0xaf, 1)).toEqual({ kind: 'frame', hasConfig: true });
    expect(a(0x2f, 0)).toEqual({ kind: 'frame', hasConfig: false }); // MP3
    expect(a(0xaf).kind).toBe('other');
  });
});
