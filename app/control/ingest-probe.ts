// What the node actually receives of its live stream, for getStats: video frames per second and the
// age of the last keyframe, measured by reading the stream from the media core's loopback FLV
// listener like a viewer would. It runs only while a presenter session wants stats and the stream
// is live, so a node without presenters carries no extra viewer.
import http from 'node:http';
import { PUBLISH_APP } from '../../common/publish-auth.js';
import type { MediaCore } from '../media/media-core.js';

const WINDOW_MS = 2000;
const MAX_TAG_BYTES = 16 * 1024 * 1024;

export interface IngestSample {
  fps: number | null;
  keyframeAgeMs: number | null;
}

/** Minimal FLV tag reader: enough to see video frames, keyframes and their timestamps. */
export class FlvVideoReader {
  private buf: Buffer = Buffer.alloc(0);
  private headerDone = false;

  constructor(private readonly onVideo: (timestampMs: number, keyframe: boolean) => void) {}

  /** Returns false when the stream is not FLV or a tag is absurdly large. */
  push(chunk: Buffer): boolean {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.headerDone) {
      if (this.buf.length < 13) return true;
      if (this.buf.toString('latin1', 0, 3) !== 'FLV') return false;
      const headerLen = this.buf.readUInt32BE(5);
      if (this.buf.length < headerLen + 4) return true;
      this.buf = this.buf.subarray(headerLen + 4);
      this.headerDone = true;
    }
    let off = 0;
    while (this.buf.length - off >= 11) {
      const size = this.buf.readUIntBE(off + 1, 3);
      if (size > MAX_TAG_BYTES) return false;
      const total = 11 + size + 4;
      if (this.buf.length - off < total) break;
      const type = this.buf[off]! & 0x1f;
      if (type === 9 && size >= 2) {
        const ts = (this.buf.readUIntBE(off + 4, 3) | (this.buf[off + 7]! << 24)) >>> 0;
        const first = this.buf[off + 11]!;
        const frameType = first >> 4;
        const codec = first & 0x0f;
        // AVC/HEVC sequence headers (packet type 0) are configuration, not frames; frame type 5 is info.
        const isConfig = (codec === 7 || codec === 12) && this.buf[off + 12] === 0;
        if (!isConfig && frameType !== 5) this.onVideo(ts, frameType === 1);
      }
      off += total;
    }
    this.buf = this.buf.subarray(off);
    return true;
  }
}

export class IngestProbe {
  private req: http.ClientRequest | null = null;
  private frames: { ts: number }[] = [];
  private lastTs: number | null = null;
  private lastAt = 0;
  private lastKeyTs: number | null = null;

  constructor(private readonly media: MediaCore, private readonly stream: string, private readonly now: () => number = Date.now) {}

  /** Keeps the probe connected while wanted and the stream is live; call every second. */
  update(wanted: boolean): void {
    const live = this.media.stats.live.includes(this.stream);
    if (!wanted || !live) return this.stop();
    if (this.req) return;
    const ports = this.media.internalPorts;
    if (!ports) return;
    this.reset();
    const reader = new FlvVideoReader((ts, key) => {
      const now = this.now();
      this.lastTs = ts;
      this.lastAt = now;
      if (key) this.lastKeyTs = ts;
      this.frames.push({ ts });
      while (this.frames.length > 0 && ts - this.frames[0]!.ts > WINDOW_MS) this.frames.shift();
      if (this.frames.length > 1000) this.frames.shift();
    });
    const req = http.get({ host: '127.0.0.1', port: ports.http, path: `/${PUBLISH_APP}/${this.stream}.flv?internal=${this.media.internalPlayToken}`, headers: { 'user-agent': 'tandem-ingest-probe' } });
    this.req = req;
    req.on('response', (res) => {
      if (res.statusCode !== 200) return this.stop();
      res.on('data', (d: Buffer) => {
        if (!reader.push(d)) this.stop();
      });
      res.on('end', () => this.req === req && this.stop());
      res.on('error', () => this.req === req && this.stop());
    });
    req.on('error', () => this.req === req && this.stop());
  }

  get connected(): boolean {
    return this.req !== null;
  }

  sample(): IngestSample {
    if (!this.req || this.lastTs === null) return { fps: null, keyframeAgeMs: null };
    const sinceLast = this.now() - this.lastAt;
    // Frames in the last window of stream time; nothing for a second means 0 fps, not the old rate.
    let fps: number | null = null;
    if (sinceLast > 1000) fps = 0;
    else if (this.frames.length >= 2) {
      const span = this.frames.at(-1)!.ts - this.frames[0]!.ts;
      fps = span > 0 ? Math.round(((this.frames.length - 1) * 1000 * 10) / span) / 10 : null;
    }
    const keyframeAgeMs = this.lastKeyTs === null ? null : Math.max(0, this.lastTs - this.lastKeyTs) + sinceLast;
    return { fps, keyframeAgeMs };
  }

  private reset(): void {
    this.frames = [];
    this.lastTs = null;
    this.lastKeyTs = null;
  }

  stop(): void {
    const req = this.req;
    this.req = null;
    req?.destroy();
    this.reset();
  }
}
