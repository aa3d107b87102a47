// FLV serialisation: the file header and tags with a given (rebased) timestamp.
import type { FlvHeader } from './flv-parser.js';

export function encodeFlvHeader(h: FlvHeader): Buffer {
  const b = Buffer.alloc(13);
  b.write('FLV', 0, 'latin1');
  b[3] = 1;
  b[4] = (h.hasAudio ? 4 : 0) | (h.hasVideo ? 1 : 0);
  b.writeUInt32BE(9, 5);
  b.writeUInt32BE(0, 9); // PreviousTagSize0
  return b;
}

export function encodeFlvTag(type: number, timestamp: number, data: Buffer): Buffer {
  const ts = Math.max(0, Math.floor(timestamp)) >>> 0;
  const out = Buffer.allocUnsafe(11 + data.length + 4);
  out[0] = type;
  out.writeUIntBE(data.length, 1, 3);
  out.writeUIntBE(ts & 0xffffff, 4, 3);
  out[7] = (ts >>> 24) & 0xff;
  out.writeUIntBE(0, 8, 3); // StreamID
  data.copy(out, 11);
  out.writeUInt32BE(11 + data.length, 11 + data.length);
  return out;
}
