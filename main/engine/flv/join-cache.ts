// What a relay needs to join the live stream at any moment: the FLV header, onMetaData,
// the AVC and AAC sequence headers, and the current GOP from its keyframe. A relay that
// (re)starts replays this, so a server can decode from the first frame it receives.
import type { FlvHeader } from './flv-parser.js';
import { type FlvTag, TAG_AUDIO, TAG_VIDEO, isKeyframe, isMetadata, isSequenceHeader } from './flv-tag.js';

/** A GOP larger than this is not cached (no keyframe for too long): joiners wait for the next one. */
const MAX_GOP_BYTES = 16 * 1024 * 1024;

export class JoinCache {
  header: FlvHeader | null = null;
  metadata: FlvTag | null = null;
  videoConfig: FlvTag | null = null;
  audioConfig: FlvTag | null = null;
  private gop: FlvTag[] = [];
  private gopBytes = 0;
  /** Incremented for each new FLV stream from the encoder (source switch or restart). */
  epoch = 0;

  newStream(header: FlvHeader): void {
    this.header = header;
    this.metadata = null;
    this.videoConfig = null;
    this.audioConfig = null;
    this.gop = [];
    this.gopBytes = 0;
    this.epoch++;
  }

  /** True when the stream carries video: then only a keyframe is a join point. */
  get hasVideo(): boolean {
    return this.videoConfig !== null || (this.header?.hasVideo ?? false);
  }

  push(tag: FlvTag): void {
    if (isMetadata(tag)) {
      this.metadata = tag;
      return;
    }
    if (isSequenceHeader(tag)) {
      if (tag.type === TAG_VIDEO) this.videoConfig = tag;
      else this.audioConfig = tag;
      return;
    }
    if (tag.type !== TAG_AUDIO && tag.type !== TAG_VIDEO) return;
    if (!this.hasVideo) return; // audio-only: every frame is a join point, nothing to cache
    if (isKeyframe(tag)) {
      this.gop = [];
      this.gopBytes = 0;
    } else if (this.gop.length === 0) {
      return; // no keyframe seen yet: nothing decodable to cache
    }
    this.gop.push(tag);
    this.gopBytes += tag.data.length;
    if (this.gopBytes > MAX_GOP_BYTES) {
      this.gop = [];
      this.gopBytes = 0;
    }
  }

  /** Config tags (metadata, sequence headers) then the current GOP, in stream order. */
  joinTags(): FlvTag[] {
    const out: FlvTag[] = [];
    if (this.metadata) out.push(this.metadata);
    if (this.videoConfig) out.push(this.videoConfig);
    if (this.audioConfig) out.push(this.audioConfig);
    return out.concat(this.gop);
  }
}
