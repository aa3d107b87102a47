// The library's FLV tag parser, once the media core has loaded it (app/media/nms-bridge.ts): a new
// parser (one per FLV session, players included) holds no tag buffer, and still parses what a
// publisher sends, growing its buffer to the tags it meets.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadNms } from '../../app/media/nms-bridge.js';

const require = createRequire(import.meta.url);

interface Packet { codec_type: number; size: number; dts: number; data: Buffer }
interface FlvParser { parserTagData: Buffer; parserTagCapacity: number; onPacketCallback: (p: Packet) => void; parserData(b: Buffer): string | null }

function flvTag(type: number, timeMs: number, body: Buffer): Buffer {
  const h = Buffer.alloc(11);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUIntBE(timeMs & 0xffffff, 4, 3);
  h[7] = timeMs >>> 24;
  const prev = Buffer.alloc(4);
  prev.writeUInt32BE(11 + body.length, 0);
  return Buffer.concat([h, body, prev]);
}

describe('FLV parser buffers', () => {
  it('start empty and grow to the tags a publisher sends, which parse intact', () => {
    loadNms();
    const Flv = require('node-media-server/src/protocol/flv.js') as new () => FlvParser;
    const parser = new Flv();
    expect(parser.parserTagData.length).toBe(0);
    expect(parser.parserTagCapacity).toBe(0);

    const packets: { type: number; size: number; dts: number; body: Buffer }[] = [];
    parser.onPacketCallback = (p) => packets.push({ type: p.codec_type, size: p.size, dts: p.dts, body: Buffer.from(p.data.subarray(0, p.size)) });
    const header = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);
    const small = Buffer.concat([Buffer.from([0xaf, 0x01]), Buffer.alloc(300, 7)]);
    const large = Buffer.concat([Buffer.from([0x17, 0x01]), Buffer.alloc(3_000_000, 9)]); // past the library's old 1 MB
    const stream = Buffer.concat([header, flvTag(8, 20, small), flvTag(9, 40, large), flvTag(8, 43, small)]);
    // In uneven pieces, as a socket delivers them.
    for (let at = 0; at < stream.length; at += 65_521) expect(parser.parserData(stream.subarray(at, at + 65_521))).toBeNull();

    expect(packets.map((p) => [p.type, p.size, p.dts])).toEqual([[8, small.length, 20], [9, large.length, 40], [8, small.length, 43]]);
    expect(packets[0]!.body.equals(small)).toBe(true);
    expect(packets[1]!.body.equals(large)).toBe(true);
    expect(packets[2]!.body.equals(small)).toBe(true);
    expect(parser.parserTagCapacity).toBe(large.length * 2);
  });
});
