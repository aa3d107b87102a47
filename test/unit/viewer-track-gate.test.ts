// The viewer page's track gate (app/viewer/src/track-gate.ts): node-media-server's FLV header
// announces audio and video whatever the publisher sends, so the page holds the first bytes until
// onMetaData names the codecs and corrects the header's track flags before mpegts.js sees them.
// Whatever the chunking, the bytes out are the bytes in, with only byte 4 changed.
import { describe, expect, it } from 'vitest';
import { createTrackGate, hasAmfKey } from '../../app/viewer/src/track-gate.js';
import { TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO } from '../../common/flv-reader.js';
import { encodeFlvHeader, encodeFlvTag } from '../../main/engine/flv/flv-writer.js';

function amfString(s: string): Buffer {
  const b = Buffer.alloc(2 + s.length);
  b.writeUInt16BE(s.length);
  b.write(s, 2, 'latin1');
  return b;
}

/** An onMetaData script tag body naming these keys (each a number). */
function metadata(keys: string[], name = 'onMetaData'): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(keys.length);
  const props = keys.map((k) => Buffer.concat([amfString(k), Buffer.from([0, 0x40, 0x1c, 0, 0, 0, 0, 0, 0])]));
  return Buffer.concat([Buffer.from([2]), amfString(name), Buffer.from([8]), count, ...props, Buffer.from([0, 0, 9])]);
}

const AAC_CONFIG = Buffer.from([0xaf, 0, 0x11, 0x90]);
const AAC_FRAME = Buffer.from([0xaf, 1, 1, 2, 3]);

function stream(first: Buffer[], rest = 40): Buffer {
  const tags = [...first];
  for (let i = 0; i < rest; i++) tags.push(encodeFlvTag(TAG_AUDIO, 21 * i, AAC_FRAME));
  return Buffer.concat([encodeFlvHeader({ hasAudio: true, hasVideo: true }), ...tags]);
}

const AUDIO_ONLY = stream([encodeFlvTag(TAG_SCRIPT, 0, metadata(['duration', 'audiocodecid', 'audiosamplerate'])), encodeFlvTag(TAG_AUDIO, 0, AAC_CONFIG)]);
const BOTH = stream([encodeFlvTag(TAG_SCRIPT, 0, metadata(['videocodecid', 'width', 'audiocodecid']))]);

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
}

/** Runs `bytes` through a gate in chunks; returns the chunks it passed on. */
function gate(bytes: Uint8Array, sizes: (i: number) => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const feed = createTrackGate((c) => out.push(new Uint8Array(c)));
  for (let i = 0, at = 0; at < bytes.length; i++) {
    const n = Math.max(1, Math.min(sizes(i), bytes.length - at));
    feed(toArrayBuffer(bytes.subarray(at, at + n)));
    at += n;
  }
  return out;
}

const joined = (parts: Uint8Array[]) => Buffer.concat(parts);

function withFlags(bytes: Buffer, flags: number): Buffer {
  const b = Buffer.from(bytes);
  b[4] = flags;
  return b;
}

describe('viewer track gate', () => {
  it('announces audio only when onMetaData names only an audio codec, whatever the chunking', () => {
    for (const size of [1, 3, 11, 64, 500, AUDIO_ONLY.length]) {
      const out = gate(AUDIO_ONLY, () => size);
      expect(joined(out).equals(withFlags(AUDIO_ONLY, 4)), `chunks of ${size}`).toBe(true);
      expect(out[0]![4], `chunks of ${size}`).toBe(4);
    }
  });

  it('keeps audio and video when onMetaData names both', () => {
    expect(joined(gate(BOTH, () => 7)).equals(BOTH)).toBe(true);
  });

  it('holds bytes until onMetaData is complete, then passes them as one chunk and the rest as they come', () => {
    const out = gate(AUDIO_ONLY, () => 5);
    const metaEnd = 13 + 11 + metadata(['duration', 'audiocodecid', 'audiosamplerate']).length + 4;
    expect(out[0]!.length).toBeGreaterThanOrEqual(metaEnd);
    expect(out[0]!.length).toBeLessThan(metaEnd + 5);
    expect(out.slice(1).every((c) => c.length <= 5)).toBe(true);
  });

  it('leaves the header as it is when media comes before any metadata, or the metadata names no codec', () => {
    const mediaFirst = stream([encodeFlvTag(TAG_VIDEO, 0, Buffer.from([0x17, 0, 0, 0, 0]))]);
    expect(joined(gate(mediaFirst, () => 9)).equals(mediaFirst)).toBe(true);
    const noCodecs = stream([encodeFlvTag(TAG_SCRIPT, 0, metadata(['duration']))]);
    expect(joined(gate(noCodecs, () => 9)).equals(noCodecs)).toBe(true);
  });

  it('gives up after 16 script tags without onMetaData', () => {
    const scripts = Array.from({ length: 16 }, () => encodeFlvTag(TAG_SCRIPT, 0, metadata(['audiocodecid'], 'onCuePoint')));
    const late = stream([...scripts, encodeFlvTag(TAG_SCRIPT, 0, metadata(['audiocodecid']))]);
    expect(joined(gate(late, () => 100)).equals(late)).toBe(true);
  });

  it('passes what is not FLV on at once, unchanged', () => {
    const text = new TextEncoder().encode('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    const out = gate(text, () => text.length);
    expect(out).toHaveLength(1);
    expect(Buffer.from(out[0]!).toString()).toBe('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });

  it('holds at most 512 KiB while undecided, then passes the bytes on as they are', () => {
    const huge = stream([encodeFlvTag(TAG_SCRIPT, 0, Buffer.concat([metadata(['audiocodecid'], 'onXmpData'), Buffer.alloc(600 * 1024)]))]);
    const out = gate(huge, () => 64 * 1024);
    expect(out[0]!.length).toBe(512 * 1024);
    expect(joined(out).equals(huge)).toBe(true);
  });

  it('finds AMF0 keys by their length prefix', () => {
    const body = metadata(['audiocodecid']);
    expect(hasAmfKey(body, 'onMetaData')).toBe(true);
    expect(hasAmfKey(body, 'audiocodecid')).toBe(true);
    expect(hasAmfKey(body, 'videocodecid')).toBe(false);
    expect(hasAmfKey(body, 'audiocodeci')).toBe(false);
  });
});
