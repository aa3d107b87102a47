// A WebSocket for FLV viewers that sends a viewer's pending FLV tags together every few tens of
// milliseconds instead of one frame per tag. FLV over WebSocket is a byte stream to players
// (mpegts.js re-assembles tags), so coalescing is invisible to them, while it cuts the media core's
// writes per viewer several times over: at thousands of viewers those writes are the node's CPU.
// - Every viewer of a stream is handed the same tag buffers by the library, so once they are past
//   their own start (headers, GOP) their pending lists are identical: the WebSocket frame is built
//   once per flush and the same bytes are written to every such viewer's socket (server frames are
//   unmasked, so they are the same for all), with no copy or framing per viewer.
// - The flush interval grows with the audience, so the writes per second stay about constant:
//   40 ms up to 1,000 viewers, 40 ms more per further 1,000, at most 200 ms (a player buffers
//   more than that anyway).
// A viewer that cannot keep up is dropped once its backlog is large, so one slow link never grows
// the node's memory; its player reconnects or fails over.
import type { Socket } from 'node:net';
import WebSocket from 'ws';

const BASE_FLUSH_MS = 40;
const MAX_FLUSH_MS = 200;
const VIEWERS_PER_STEP = 1000;
const MAX_CHUNK_BYTES = 64 * 1024;
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
const SLICE_VIEWERS = 250;

const dirty = new Set<CoalescingWebSocket>();
let timer: NodeJS.Timeout | null = null;
/** How many viewers the last flush served: sets the next interval. */
let lastFlushed = 0;

/** The last frame built, and the tag buffers it was built from: reused by every viewer with the same. */
let memoChunks: Buffer[] = [];
let memoFrame: Buffer | null = null;

export function flushIntervalMs(viewers: number): number {
  return Math.min(MAX_FLUSH_MS, BASE_FLUSH_MS * Math.max(1, Math.ceil(viewers / VIEWERS_PER_STEP)));
}

function flushAll(): void {
  timer = null;
  const batch = [...dirty];
  dirty.clear();
  lastFlushed = batch.length;
  flushSlice(batch, 0);
}

/**
 * Flushes a slice of the viewers, then yields to the event loop before the next: between slices the
 * media core reads its IPC channel, and every viewer handed over waits for that read (Node sends a
 * socket only once the previous one is acknowledged), so one long flush would throttle the hand-over.
 */
function flushSlice(batch: CoalescingWebSocket[], from: number): void {
  const end = Math.min(batch.length, from + SLICE_VIEWERS);
  for (let i = from; i < end; i++) batch[i]!.flush();
  if (end < batch.length) {
    setImmediate(flushSlice, batch, end);
    return;
  }
  // Let the frame go with its tick.
  memoChunks = [];
  memoFrame = null;
}

function sameChunks(a: Buffer[], b: Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One unmasked, final, binary WebSocket frame (RFC 6455 §5.2) holding the chunks in order. */
export function binaryFrame(chunks: Buffer[], size: number): Buffer {
  const headerBytes = size < 126 ? 2 : size < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + size);
  frame[0] = 0x82;
  if (headerBytes === 2) frame[1] = size;
  else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(size, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(size / 2 ** 32), 2);
    frame.writeUInt32BE(size >>> 0, 6);
  }
  let at = headerBytes;
  for (const c of chunks) at += c.copy(frame, at);
  return frame;
}

export class CoalescingWebSocket extends WebSocket {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The viewer's TCP socket, when the media core holds it: frames go to it directly. */
  private raw: Socket | null = null;

  /**
   * Lets flushes write finished frames to the viewer's socket itself (the socket this WebSocket was
   * upgraded on, with no extension negotiated): ws's sender would frame every viewer's copy anew.
   */
  useSocket(socket: Socket): void {
    this.raw = socket;
  }

  override send(data: unknown, ...rest: unknown[]): void {
    if (!Buffer.isBuffer(data) || rest.length > 0) {
      (super.send as (...args: unknown[]) => void)(data, ...rest);
      return;
    }
    if (this.readyState !== WebSocket.OPEN) return;
    if (this.bufferedAmount > MAX_BACKLOG_BYTES) {
      this.terminate();
      return;
    }
    this.chunks.push(data);
    this.size += data.length;
    if (this.size >= MAX_CHUNK_BYTES) {
      this.flush();
      return;
    }
    if (!dirty.has(this)) {
      dirty.add(this);
      timer ??= setTimeout(flushAll, flushIntervalMs(Math.max(lastFlushed, dirty.size)));
    }
  }

  /** Sends whatever is pending as one WebSocket message. */
  flush(): void {
    if (this.size === 0) return;
    const chunks = this.chunks;
    const size = this.size;
    this.chunks = [];
    this.size = 0;
    if (this.readyState !== WebSocket.OPEN) return;
    const raw = this.raw;
    if (raw && !raw.destroyed) {
      if (!memoFrame || !sameChunks(chunks, memoChunks)) {
        memoFrame = binaryFrame(chunks, size);
        memoChunks = chunks;
      }
      raw.write(memoFrame);
      return;
    }
    super.send(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), { binary: true });
  }
}
