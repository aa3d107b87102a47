import { describe, expect, it } from 'vitest';
import { FlvVideoReader } from '../../app/control/ingest-probe.js';

function tag(type: number, ts: number, data: Buffer): Buffer {
  const h = Buffer.alloc(11);
  h[0] = type;
  h.writeUIntBE(data.length, 1, 3);
  h.writeUIntBE(ts & 0xffffff, 4, 3);
  h[7] = (ts >>> 24) & 0xff;
  const prev = Buffer.alloc(4);
  prev.writeUInt32BE(11 + data.length);
  return Buffer.concat([h, data, prev]);
}

const header = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);

describe('FLV video reader (getStats fps and keyframe age)', () => {
  it('reports video frames and keyframes, skipping sequence headers, audio and script tags, across split chunks', () => {
    const seen: [number, boolean][] = [];
    const r = new FlvVideoReader((ts, key) => seen.push([ts, key]));
    const stream = Buffer.concat([
      header,
      tag(18, 0, Buffer.from('meta')),
      tag(9, 0, Buffer.from([0x17, 0x00, 0, 0, 0])), // AVC sequence header
      tag(9, 0, Buffer.from([0x17, 0x01, 0, 0, 0, 1])), // keyframe
      tag(8, 10, Buffer.from([0xaf, 0x01, 1])), // audio
      tag(9, 33, Buffer.from([0x27, 0x01, 0, 0, 0, 2])), // inter frame
      tag(9, 0x1000000 + 66, Buffer.from([0x27, 0x01, 0, 0, 0, 3])), // extended timestamp
    ]);
    for (let i = 0; i < stream.length; i += 7) expect(r.push(stream.subarray(i, i + 7))).toBe(true);
    expect(seen).toEqual([[0, true], [33, false], [0x1000000 + 66, false]]);
  });

  it('refuses what is not FLV', () => {
    expect(new FlvVideoReader(() => undefined).push(Buffer.from('HTTP/1.1 404 Not Found\r\n'))).toBe(false);
  });
});
