// A relay's media path, free of processes so it can be tested alone: config tags wait for the
// next sync point, media is rebased onto the relay's own timeline, and a backlog overflow drops
// whole GOPs and waits for the next keyframe.
import type { FlvTag } from '../flv/flv-tag.js';
import { TAG_AUDIO, isEndOfSequence, isKeyframe, isMetadata, isSequenceHeader } from '../flv/flv-tag.js';
import { encodeFlvTag } from '../flv/flv-writer.js';
import { type BacklogLimits, DEFAULT_BACKLOG, type QueuedTag, TagBacklog } from '../flv/tag-backlog.js';
import type { TimestampRebaser } from '../flv/timestamp-rebaser.js';

export class RelayFeed {
  private readonly backlog: TagBacklog;
  private waitForSync = true;
  private pendingConfig: FlvTag[] = [];

  constructor(
    private readonly rebaser: TimestampRebaser,
    /** Whether the stream carries video (then only keyframes are sync points). */
    private readonly hasVideo: () => boolean,
    /** Called with the number of GOPs dropped on overflow. */
    private readonly onDrop: (gops: number) => void,
    limits: BacklogLimits = DEFAULT_BACKLOG,
  ) {
    this.backlog = new TagBacklog(limits);
  }

  get queued(): number {
    return this.backlog.length;
  }

  get waitingForSync(): boolean {
    return this.waitForSync;
  }

  /** The next media starts a new segment: rebase it, and resend config at the next sync point. */
  discontinuity(): void {
    this.rebaser.discontinuity();
    this.waitForSync = true;
    this.pendingConfig = [];
  }

  push(tag: FlvTag): void {
    if (isMetadata(tag) || isSequenceHeader(tag)) {
      if (this.waitForSync) {
        const i = this.pendingConfig.findIndex((c) => c.type === tag.type && isMetadata(c) === isMetadata(tag));
        if (i >= 0) this.pendingConfig[i] = tag;
        else this.pendingConfig.push(tag);
      } else {
        this.enqueue(tag, Math.max(0, this.rebaser.lastTimestamp), false);
      }
      return;
    }
    if (isEndOfSequence(tag)) return;
    const sync = this.hasVideo() ? isKeyframe(tag) : tag.type === TAG_AUDIO;
    if (this.waitForSync) {
      if (!sync) return;
      this.waitForSync = false;
    }
    const ts = this.rebaser.map(tag.timestamp);
    for (const c of this.pendingConfig) this.enqueue(c, ts, false);
    this.pendingConfig = [];
    this.enqueue(tag, ts, sync);
  }

  shift(): QueuedTag | undefined {
    return this.backlog.shift();
  }

  private enqueue(tag: FlvTag, ts: number, keyframe: boolean): void {
    const dropped = this.backlog.push({ buf: encodeFlvTag(tag.type, ts, tag.data), ts, keyframe });
    if (dropped > 0) {
      this.waitForSync = true;
      this.onDrop(dropped);
    }
  }
}
