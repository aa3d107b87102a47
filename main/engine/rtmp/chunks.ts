// RTMP chunk stream framing: reassembles messages from the interleaved chunks a
// server sends, and splits outgoing messages into chunks. The reader applies
// Set Chunk Size and Abort itself, because they change how the very next bytes
// parse; everything else is left to the caller. Input is untrusted: malformed
// framing throws RtmpChunkError instead of desynchronising silently.

export const MessageType = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  amf3Data: 15,
  amf3Command: 17,
  amf0Data: 18,
  amf0Command: 20,
} as const;

export const DEFAULT_CHUNK_SIZE = 128;
const MAX_CHUNK_SIZE = 0x7fffffff;
const EXTENDED_TIMESTAMP = 0xffffff;

export interface RtmpMessage {
  /** Chunk stream the message arrived on. */
  csid: number;
  type: number;
  /** Message stream id (0 for the NetConnection). */
  streamId: number;
  /** Absolute timestamp in ms, modulo 2^32. */
  timestamp: number;
  payload: Buffer;
}

export class RtmpChunkError extends Error {
  override name = 'RtmpChunkError';
}

interface ChunkStreamState {
  timestamp: number;
  delta: number;
  length: number;
  type: number;
  streamId: number;
  /** Whether the last header on this chunk stream carried an extended timestamp. */
  extended: boolean;
  parts: Buffer[];
  received: number;
}

export interface ChunkReaderOptions {
  /** Messages announcing more than this are refused (default 1 MiB): bounds memory. */
  maxMessageBytes?: number;
}

export class RtmpChunkReader {
  private pending: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, ChunkStreamState>();
  private inChunkSize = DEFAULT_CHUNK_SIZE;
  private readonly maxMessageBytes: number;

  constructor(opts: ChunkReaderOptions = {}) {
    this.maxMessageBytes = opts.maxMessageBytes ?? 1 << 20;
  }

  /** The chunk size the peer announced (128 until it sends Set Chunk Size). */
  get chunkSize(): number {
    return this.inChunkSize;
  }

  /** Feeds bytes; returns the messages they complete, in arrival order. */
  push(data: Buffer): RtmpMessage[] {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const out: RtmpMessage[] = [];
    // Each turn consumes at least one byte or stops, so this ends with the input.
    while (true) {
      const used = this.readChunk(this.pending, out);
      if (used === 0) break;
      this.pending = this.pending.subarray(used);
    }
    return out;
  }

  /** Parses one whole chunk at the start of buf; returns bytes used, 0 if incomplete. */
  private readChunk(buf: Buffer, out: RtmpMessage[]): number {
    if (buf.length < 1) return 0;
    const b0 = buf[0] as number;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let pos = 1;
    if (csid === 0) {
      if (buf.length < 2) return 0;
      csid = 64 + (buf[1] as number);
      pos = 2;
    } else if (csid === 1) {
      if (buf.length < 3) return 0;
      csid = 64 + (buf[1] as number) + (buf[2] as number) * 256;
      pos = 3;
    }

    const headerLen = [11, 7, 3, 0][fmt] as number;
    if (buf.length < pos + headerLen) return 0;

    const prev = this.streams.get(csid);
    if (fmt !== 0 && prev === undefined) {
      throw new RtmpChunkError(`chunk type ${fmt} on chunk stream ${csid} without a preceding full header`);
    }

    let tsField = 0;
    let length = prev?.length ?? 0;
    let type = prev?.type ?? 0;
    let streamId = prev?.streamId ?? 0;
    if (fmt <= 2) tsField = buf.readUIntBE(pos, 3);
    if (fmt <= 1) {
      length = buf.readUIntBE(pos + 3, 3);
      type = buf[pos + 6] as number;
    }
    if (fmt === 0) streamId = buf.readUInt32LE(pos + 7);
    pos += headerLen;

    // Types 0-2 flag the extended field with 0xFFFFFF; type 3 repeats it whenever
    // the header it continues had one (RTMP spec 5.3.1.3, as FFmpeg and nginx do).
    const extended = fmt <= 2 ? tsField === EXTENDED_TIMESTAMP : (prev?.extended ?? false);
    let extTs = 0;
    if (extended) {
      if (buf.length < pos + 4) return 0;
      extTs = buf.readUInt32BE(pos);
      pos += 4;
    }
    const tsValue = extended ? extTs : tsField;

    const continuing = fmt === 3 && prev !== undefined && prev.received > 0 && prev.received < prev.length;
    if (length > this.maxMessageBytes) {
      throw new RtmpChunkError(`message of ${length} bytes exceeds the ${this.maxMessageBytes}-byte limit`);
    }
    const remaining = continuing ? (prev as ChunkStreamState).length - (prev as ChunkStreamState).received : length;
    const take = Math.min(remaining, this.inChunkSize);
    if (buf.length < pos + take) return 0;

    // The whole chunk is here: only now commit state, so a partial chunk re-parses cleanly.
    let st: ChunkStreamState;
    if (continuing) {
      st = prev as ChunkStreamState;
    } else {
      let timestamp: number;
      let delta: number;
      if (fmt === 0) {
        timestamp = tsValue;
        delta = 0;
      } else if (fmt === 3) {
        // A type 3 chunk starting a new message repeats the previous delta.
        delta = (prev as ChunkStreamState).delta;
        timestamp = ((prev as ChunkStreamState).timestamp + delta) >>> 0;
      } else {
        delta = tsValue;
        timestamp = ((prev as ChunkStreamState).timestamp + delta) >>> 0;
      }
      st = { timestamp, delta, length, type, streamId, extended, parts: [], received: 0 };
      this.streams.set(csid, st);
    }
    if (fmt !== 3) st.extended = extended;

    if (take > 0) st.parts.push(Buffer.from(buf.subarray(pos, pos + take)));
    st.received += take;
    pos += take;

    if (st.received >= st.length) {
      const payload = st.parts.length === 1 ? (st.parts[0] as Buffer) : Buffer.concat(st.parts);
      st.parts = [];
      // Mark complete so the next type 3 chunk starts a new message.
      st.received = st.length === 0 ? 0 : st.length;
      this.deliver({ csid, type: st.type, streamId: st.streamId, timestamp: st.timestamp, payload }, out);
    }
    return pos;
  }

  private deliver(msg: RtmpMessage, out: RtmpMessage[]): void {
    if (msg.csid === 2 || msg.streamId === 0) {
      if (msg.type === MessageType.setChunkSize) {
        if (msg.payload.length < 4) throw new RtmpChunkError('short Set Chunk Size message');
        const size = msg.payload.readUInt32BE(0) & 0x7fffffff;
        if (size < 1 || size > MAX_CHUNK_SIZE) throw new RtmpChunkError(`invalid chunk size ${size}`);
        this.inChunkSize = size;
      } else if (msg.type === MessageType.abort) {
        if (msg.payload.length < 4) throw new RtmpChunkError('short Abort message');
        const st = this.streams.get(msg.payload.readUInt32BE(0));
        if (st) {
          st.parts = [];
          st.received = 0;
        }
      }
    }
    out.push(msg);
  }
}

/** Splits one message into chunks: a type 0 header, then type 3 continuations. */
export function encodeChunks(msg: RtmpMessage, chunkSize = DEFAULT_CHUNK_SIZE): Buffer {
  return Buffer.concat(encodeChunkParts(msg, chunkSize));
}

/**
 * The same chunks as separate buffers: small headers, and views into the payload rather than copies,
 * so one media payload is shared by every server's socket instead of copied once per server.
 */
export function encodeChunkParts(msg: RtmpMessage, chunkSize = DEFAULT_CHUNK_SIZE): Buffer[] {
  if (msg.csid < 2 || msg.csid > 65599) throw new RangeError(`chunk stream id ${msg.csid} out of range`);
  const extended = msg.timestamp >= EXTENDED_TIMESTAMP;
  const basicLen = msg.csid < 64 ? 1 : msg.csid < 320 ? 2 : 3;
  const writeBasic = (b: Buffer, fmt: number): void => {
    if (msg.csid < 64) b[0] = (fmt << 6) | msg.csid;
    else if (msg.csid < 320) {
      b[0] = fmt << 6;
      b[1] = msg.csid - 64;
    } else {
      const v = msg.csid - 64;
      b[0] = (fmt << 6) | 1;
      b[1] = v & 0xff;
      b[2] = v >> 8;
    }
  };
  const extLen = extended ? 4 : 0;
  const first = Buffer.alloc(basicLen + 11 + extLen);
  writeBasic(first, 0);
  first.writeUIntBE(extended ? EXTENDED_TIMESTAMP : msg.timestamp, basicLen, 3);
  first.writeUIntBE(msg.payload.length, basicLen + 3, 3);
  first[basicLen + 6] = msg.type;
  first.writeUInt32LE(msg.streamId, basicLen + 7);
  if (extended) first.writeUInt32BE(msg.timestamp >>> 0, basicLen + 11);

  const parts: Buffer[] = [first];
  let off = 0;
  do {
    if (off > 0) {
      // Type 3 continuations repeat the extended timestamp when the message has one.
      const cont = Buffer.alloc(basicLen + extLen);
      writeBasic(cont, 3);
      if (extended) cont.writeUInt32BE(msg.timestamp >>> 0, basicLen);
      parts.push(cont);
    }
    parts.push(msg.payload.subarray(off, off + chunkSize));
    off += chunkSize;
  } while (off < msg.payload.length);
  return parts;
}
