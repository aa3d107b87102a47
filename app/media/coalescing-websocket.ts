// A WebSocket for FLV viewers that sends a viewer's pending FLV tags together every few tens of
// milliseconds instead of one frame per tag. FLV over WebSocket is a byte stream to players
// (mpegts.js re-assembles tags), so coalescing is invisible to them, while it cuts the media core's
// writes per viewer several times over: at thousands of viewers those writes are the node's CPU.
// A viewer that cannot keep up is dropped once its backlog is large, so one slow link never grows
// the node's memory; its player reconnects or fails over.
import WebSocket from 'ws';

const FLUSH_MS = 40;
const MAX_CHUNK_BYTES = 64 * 1024;
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

const dirty = new Set<CoalescingWebSocket>();
let timer: NodeJS.Timeout | null = null;

function flushAll(): void {
  for (const ws of dirty) ws.flush();
  dirty.clear();
  if (timer) {
    clearInterval(timer);
    timer = null;
  }
}

export class CoalescingWebSocket extends WebSocket {
  private chunks: Buffer[] = [];
  private size = 0;

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
      timer ??= setInterval(flushAll, FLUSH_MS);
    }
  }

  /** Sends whatever is pending as one WebSocket message. */
  flush(): void {
    if (this.size === 0) return;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    if (this.readyState === WebSocket.OPEN) super.send(body, { binary: true });
  }
}
