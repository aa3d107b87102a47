// What the node actually receives of its live stream, for getStats: video frames per second and the
// age of the last keyframe, measured by reading the stream from the media core's loopback FLV
// listener like a viewer would. It runs only while a presenter session wants stats and the stream
// is live, so a node without presenters carries no extra viewer.
import http from 'node:http';
import { FlvReadError, FlvReader, TAG_VIDEO, videoPacket } from '../../common/flv-reader.js';
import { PUBLISH_APP } from '../../common/publish-auth.js';
import type { MediaCore } from '../media/media-core.js';

const WINDOW_MS = 2000;
/** Far above any frame of a live stream; a tag beyond it means the stream is not what we think. */
const MAX_TAG_BYTES = 8 * 1024 * 1024;

export interface IngestSample {
  fps: number | null;
  keyframeAgeMs: number | null;
}

/** Video frames (not configuration or info frames) and whether each is a keyframe, from FLV bytes. */
export class FlvVideoReader {
  private readonly reader: FlvReader;

  constructor(onVideo: (timestampMs: number, keyframe: boolean) => void) {
    this.reader = new FlvReader({
      onTag: (t) => {
        if (t.type !== TAG_VIDEO) return;
        const p = videoPacket(t.body);
        if (p.kind === 'frame' && p.frameType !== 5) onVideo(t.timestamp, p.frameType === 1);
      },
    }, { maxTagSize: MAX_TAG_BYTES });
  }

  /** Returns false when the stream is not FLV, loses its framing, or a tag is absurdly large. */
  push(chunk: Buffer): boolean {
    try {
      this.reader.push(chunk);
      return true;
    } catch (err) {
      if (err instanceof FlvReadError) return false;
      throw err;
    }
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
