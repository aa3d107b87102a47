import { describe, expect, it } from 'vitest';
import { FlvFormatError, FlvParser, type FlvHeader } from '../../main/engine/flv/flv-parser.js';
import { type FlvTag, TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO, isKeyframe, isMetadata, isSequenceHeader } from '../../main/engine/flv/flv-tag.js';
import { encodeFlvHeader, encodeFlvTag } from '../../main/engine/flv/flv-writer.js';

function sampleTags(): FlvTag[] {
  const meta = Buffer.concat([Buffer.from([2, 0, 10]), Buffer.from('onMetaData', 'latin1'), Buffer.from([8, 0, 0, 0, 0, 0, 0, 9])]);
  return [
    { type: TAG_SCRIPT, timestamp: 0, data: meta },
    { type: TAG_VIDEO, timestamp: 0, data: Buffer.from([0x17, 0, 0, 0, 0, 1, 2, 3]) },
    { type: TAG_AUDIO, timestamp: 0, data: Buffer.from([0xaf, 0, 0x11, 0x90]) },
    { type: TAG_VIDEO, timestamp: 33, data: Buffer.alloc(5000, 7).fill(0x17, 0, 1).fill(1, 1, 2) },
    { type: TAG_AUDIO, timestamp: 21, data: Buffer.from([0xaf, 1, 9, 9, 9]) },
    { type: TAG_VIDEO, timestamp: 66, data: Buffer.from([0x27, 1, 0, 0, 0, 4]) },
    // Beyond 24 bits: the extended timestamp byte must be honoured.
    { type: TAG_VIDEO, timestamp: 0x01_23_45_67, data: Buffer.from([0x27, 1, 0, 0, 0]) },
  ];
}

function serialise(tags: FlvTag[]): Buffer {
  return Buffer.concat([encodeFlvHeader({ hasAudio: true, hasVideo: true }), ...tags.map((t) => encodeFlvTag(t.type, t.timestamp, t.data))]);
}

/** A compact, exact fingerprint of a tag list (Buffer deep-equality is slow in a loop). */
const digest = (ts: FlvTag[]) => ts.map((t) => `${t.type}:${t.timestamp}:${t.data.toString('hex')}`).join('|');

function parseInChunks(bytes: Buffer, cut: (i: number) => number): { header: FlvHeader | null; tags: FlvTag[] } {
  const tags: FlvTag[] = [];
  let header: FlvHeader | null = null;
  const p = new FlvParser((h) => (header = h), (t) => tags.push(t));
  let off = 0;
  for (let i = 0; off < bytes.length; i++) {
    const n = Math.max(1, Math.min(cut(i), bytes.length - off));
    p.push(bytes.subarray(off, off + n));
    off += n;
  }
  return { header, tags };
}

describe('FlvParser', () => {
  const tags = sampleTags();
  const bytes = serialise(tags);

  it('reads every tag when the input arrives in one piece', () => {
    const out = parseInChunks(bytes, () => bytes.length);
    expect(out.header).toEqual({ hasAudio: true, hasVideo: true });
    expect(out.tags).toEqual(tags);
  });

  it('reads the same tags whatever the chunk boundaries (every split point, 1-byte chunks, odd sizes)', () => {
    for (let split = 1; split < bytes.length; split += 7) {
      const out = parseInChunks(bytes, (i) => (i === 0 ? split : bytes.length));
      expect(digest(out.tags), `split at ${split}`).toBe(digest(tags));
    }
    expect(digest(parseInChunks(bytes, () => 1).tags)).toBe(digest(tags));
    expect(digest(parseInChunks(bytes, (i) => [3, 11, 4, 29, 1, 997][i % 6]!).tags)).toBe(digest(tags));
  });

  it('classifies keyframes, sequence headers and metadata', () => {
    expect(tags.map(isMetadata)).toEqual([true, false, false, false, false, false, false]);
    expect(tags.map(isSequenceHeader)).toEqual([false, true, true, false, false, false, false]);
    expect(tags.map(isKeyframe)).toEqual([false, true, false, true, false, false, false]);
  });

  it('starts over after reset() (the encoder restarted and sends a new header)', () => {
    const seen: number[] = [];
    let headers = 0;
    const p = new FlvParser(() => headers++, (t) => seen.push(t.timestamp));
    p.push(bytes.subarray(0, 100));
    p.reset();
    p.push(bytes);
    expect(headers).toBe(2);
    expect(seen.slice(-tags.length)).toEqual(tags.map((t) => t.timestamp));
  });

  it('rejects input that is not FLV with a clear error', () => {
    const p = new FlvParser(() => {}, () => {});
    expect(() => p.push(Buffer.from('GIF89a-not-an-flv-file'))).toThrow(FlvFormatError);
  });
});
