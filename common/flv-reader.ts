// The one FLV tag reader: bytes in, in any chunking, the file header and whole tags out. Pure (no
// Node APIs): the engine feeds it Buffers from its encoder, the node's ingest probe Buffers from
// the media core, and the viewer page Uint8Arrays from its WebSocket. It frames tags and checks the
// framing (signature, header size, PreviousTagSize, a size bound); it never decodes media. What a
// tag carries is read from its first two body bytes with videoPacket() / audioPacket() below.

export const FLV_HEADER_SIZE = 9;
export const FLV_TAG_HEADER_SIZE = 11;
/** The PreviousTagSize field after the header and after every tag. */
export const FLV_PREV_TAG_SIZE = 4;
/** FLV's DataSize is 24 bits: the format's own bound on a tag body. */
export const FLV_MAX_TAG_SIZE = 0xffffff;
/** A header announcing more than this is not a header any muxer writes (the spec's is 9 bytes). */
const MAX_HEADER_SIZE = 1024;

export const TAG_AUDIO = 8;
export const TAG_VIDEO = 9;
export const TAG_SCRIPT = 18;

export interface FlvFileHeader {
  hasAudio: boolean;
  hasVideo: boolean;
}

export interface FlvTagView {
  /** 8 audio, 9 video, 18 script data (the filter bit and reserved bits masked off). */
  type: number;
  /** Decode timestamp in ms: the 24-bit field with the extension byte as its top 8 bits. */
  timestamp: number;
  /**
   * The tag body, without its 11-byte header and the PreviousTagSize after it. A view into the
   * bytes pushed (or into the reader's own copy when a tag spans chunks): valid only during the
   * callback, so a consumer that keeps it copies it.
   */
  body: Uint8Array;
}

export interface FlvReaderHandler {
  onHeader?(header: FlvFileHeader): void;
  onTag(tag: FlvTagView): void;
}

export interface FlvReaderOptions {
  /** Tags with a larger body are refused (an error) before any of the body is buffered. */
  maxTagSize?: number;
}

/** The bytes are not FLV, or lost their framing: a sentence saying which. */
export class FlvReadError extends Error {
  override readonly name = 'FlvReadError';
}

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const u24 = (b: Uint8Array, at: number): number => (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;

export class FlvReader {
  /** Unread bytes, oldest first; between pushes they are the reader's own copies. */
  private parts: Uint8Array[] = [];
  private have = 0;
  private headerRead = false;
  private failed: FlvReadError | null = null;
  private readonly maxTagSize: number;
  /** Scratch for a header split across parts. */
  private readonly head = new Uint8Array(FLV_TAG_HEADER_SIZE);

  constructor(private readonly handler: FlvReaderHandler, options: FlvReaderOptions = {}) {
    this.maxTagSize = Math.min(options.maxTagSize ?? FLV_MAX_TAG_SIZE, FLV_MAX_TAG_SIZE);
  }

  /** Starts over: the next bytes begin a new FLV stream with its own header. */
  reset(): void {
    this.parts = [];
    this.have = 0;
    this.headerRead = false;
    this.failed = null;
  }

  /**
   * Reads every tag that is complete with these bytes, calling the handler for each, in order.
   * Throws FlvReadError when the bytes are not FLV or lose their framing; after that every push
   * throws the same error until reset().
   */
  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.have += chunk.length;
    try {
      this.drain();
    } catch (err) {
      if (err instanceof FlvReadError) this.failed = err;
      throw err;
    } finally {
      // Keep a copy of what is left of this chunk (always the last part: reading consumes from the
      // front), not a view that pins or shares the caller's buffer. new Uint8Array(view) copies; a
      // Buffer's slice() would not.
      const last = this.parts.length - 1;
      if (last >= 0 && this.parts[last]!.buffer === chunk.buffer) this.parts[last] = new Uint8Array(this.parts[last]!);
    }
  }

  private drain(): void {
    if (!this.headerRead && !this.readHeader()) return;
    while (this.have >= FLV_TAG_HEADER_SIZE) {
      const h = this.peek(FLV_TAG_HEADER_SIZE);
      const size = u24(h, 1);
      if (size > this.maxTagSize) throw new FlvReadError(`FLV tag of ${size} bytes is over the bound of ${this.maxTagSize}`);
      const total = FLV_TAG_HEADER_SIZE + size + FLV_PREV_TAG_SIZE;
      if (this.have < total) return;
      const type = h[0]! & 0x1f;
      const timestamp = (u24(h, 4) | (h[7]! << 24)) >>> 0;
      const tag = this.take(total);
      const prev = u32(tag, FLV_TAG_HEADER_SIZE + size);
      if (prev !== FLV_TAG_HEADER_SIZE + size) {
        throw new FlvReadError(`FLV PreviousTagSize is ${prev} after a tag of ${FLV_TAG_HEADER_SIZE + size} bytes: the stream is out of step`);
      }
      this.handler.onTag({ type, timestamp, body: tag.subarray(FLV_TAG_HEADER_SIZE, FLV_TAG_HEADER_SIZE + size) });
    }
  }

  /** The file header and PreviousTagSize0; false until all of it is in. */
  private readHeader(): boolean {
    if (this.have < FLV_HEADER_SIZE) return false;
    const h = this.peek(FLV_HEADER_SIZE);
    if (h[0] !== 0x46 || h[1] !== 0x4c || h[2] !== 0x56) throw new FlvReadError('the input is not FLV (no FLV signature)');
    const dataOffset = u32(h, 5);
    if (dataOffset < FLV_HEADER_SIZE || dataOffset > MAX_HEADER_SIZE) throw new FlvReadError(`bad FLV header size ${dataOffset}`);
    if (this.have < dataOffset + FLV_PREV_TAG_SIZE) return false;
    const flags = h[4]!;
    this.take(dataOffset + FLV_PREV_TAG_SIZE);
    this.headerRead = true;
    this.handler.onHeader?.({ hasAudio: (flags & 4) !== 0, hasVideo: (flags & 1) !== 0 });
    return true;
  }

  /** The first n unread bytes (n ≤ the tag header size), without consuming them. */
  private peek(n: number): Uint8Array {
    const first = this.parts[0]!;
    if (first.length >= n) return first;
    let at = 0;
    for (const p of this.parts) {
      const k = Math.min(n - at, p.length);
      this.head.set(p.subarray(0, k), at);
      at += k;
      if (at === n) break;
    }
    return this.head;
  }

  /** Consumes n bytes: a view when they lie in one part, else one copy of exactly n bytes. */
  private take(n: number): Uint8Array {
    this.have -= n;
    const first = this.parts[0]!;
    if (first.length >= n) {
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    let used = 0; // whole parts consumed: removed at once (a tag may span thousands of small chunks)
    while (at < n) {
      const p = this.parts[used]!;
      const k = Math.min(n - at, p.length);
      out.set(p.subarray(0, k), at);
      at += k;
      if (k === p.length) used += 1;
      else this.parts[used] = p.subarray(k);
    }
    this.parts.splice(0, used);
    return out;
  }
}

// ---- What a tag carries, from its first two body bytes -----------------------------------------

export type PacketKind = 'sequence-start' | 'frame' | 'sequence-end' | 'other';

export interface VideoPacket {
  kind: PacketKind;
  /** 1 keyframe, 2 inter frame, 5 video info/command frame (no picture). */
  frameType: number;
  /** Whether the codec sends a decoder configuration (AVC, HEVC, any Enhanced FLV codec). */
  hasConfig: boolean;
}

/**
 * A video tag's packet: legacy FLV (AVC/HEVC with AVCPacketType 0 configuration, 1 frames, 2 end of
 * sequence; other codecs are frames only) and Enhanced FLV (ExHeader bit, PacketType 0 sequence
 * start, 1 and 3 coded frames, 2 sequence end).
 */
export function videoPacket(body: Uint8Array): VideoPacket {
  const b0 = body[0] ?? 0;
  const isExHeader = (b0 & 0x80) !== 0;
  const frameType = (b0 >> 4) & 0x07;
  const codec = b0 & 0x0f;
  const hasConfig = isExHeader || codec === 7 || codec === 12;
  if (body.length < 2) return { kind: 'other', frameType, hasConfig };
  if (!hasConfig) return { kind: 'frame', frameType, hasConfig };
  const packetType = isExHeader ? codec : body[1]!;
  const kind: PacketKind = packetType === 0 ? 'sequence-start'
    : packetType === 1 || (isExHeader && packetType === 3) ? 'frame'
      : packetType === 2 ? 'sequence-end' : 'other';
  return { kind, frameType, hasConfig };
}

/** An audio tag's packet: AAC's AudioSpecificConfig (AACPacketType 0) or raw frames; other formats are frames only. */
export function audioPacket(body: Uint8Array): { kind: PacketKind; hasConfig: boolean } {
  if (body.length < 2) return { kind: 'other', hasConfig: false };
  if (body[0]! >> 4 !== 10) return { kind: 'frame', hasConfig: false };
  return { kind: body[1] === 0 ? 'sequence-start' : 'frame', hasConfig: true };
}
