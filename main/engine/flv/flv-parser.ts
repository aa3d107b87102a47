// Incremental FLV demuxer: bytes in (any chunking), header and whole tags out.
// It never decodes media; it only frames tags so they can be cached, dropped and rebased.
import { type FlvTag } from './flv-tag.js';

export const FLV_HEADER_SIZE = 9;
const TAG_HEADER_SIZE = 11;
const PREV_TAG_SIZE = 4;
/** Largest tag accepted; FLV's DataSize is 24 bits, so 16 MiB is the format's own bound. */
const MAX_TAG_SIZE = 0xffffff;

export class FlvFormatError extends Error {
  readonly code = 'protocol-error';
}

export interface FlvHeader {
  hasAudio: boolean;
  hasVideo: boolean;
}

export class FlvParser {
  private buf: Buffer = Buffer.alloc(0);
  private header: FlvHeader | null = null;

  constructor(
    private readonly onHeader: (h: FlvHeader) => void,
    private readonly onTag: (t: FlvTag) => void,
  ) {}

  /** Resets for a new FLV stream (the encoder restarted): the next bytes start with a header. */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.header = null;
  }

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let off = 0;
    if (this.header === null) {
      if (this.buf.length < FLV_HEADER_SIZE + PREV_TAG_SIZE) return;
      if (this.buf.toString('latin1', 0, 3) !== 'FLV') {
        throw new FlvFormatError('the input is not FLV');
      }
      const flags = this.buf[4]!;
      const dataOffset = this.buf.readUInt32BE(5);
      if (dataOffset < FLV_HEADER_SIZE || dataOffset > 1024) throw new FlvFormatError(`bad FLV header offset ${dataOffset}`);
      if (this.buf.length < dataOffset + PREV_TAG_SIZE) return;
      this.header = { hasAudio: (flags & 4) !== 0, hasVideo: (flags & 1) !== 0 };
      off = dataOffset + PREV_TAG_SIZE;
      this.onHeader(this.header);
    }
    while (this.buf.length - off >= TAG_HEADER_SIZE) {
      const type = this.buf[off]! & 0x1f;
      const size = this.buf.readUIntBE(off + 1, 3);
      if (size > MAX_TAG_SIZE) throw new FlvFormatError(`tag too large (${size} bytes)`);
      const total = TAG_HEADER_SIZE + size + PREV_TAG_SIZE;
      if (this.buf.length - off < total) break;
      const timestamp = (this.buf.readUIntBE(off + 4, 3) | (this.buf[off + 7]! << 24)) >>> 0;
      // Copy the body out so the tag does not pin the whole input chunk in memory.
      const data = Buffer.from(this.buf.subarray(off + TAG_HEADER_SIZE, off + TAG_HEADER_SIZE + size));
      off += total;
      this.onTag({ type, timestamp, data });
    }
    this.buf = off === 0 ? this.buf : this.buf.subarray(off);
    if (this.buf.length > 0 && off > 0) this.buf = Buffer.from(this.buf);
  }
}
