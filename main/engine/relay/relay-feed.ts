// A relay's media path, free of processes so it can be tested alone: config tags wait for the
// next sync point, media is rebased onto the relay's own timeline, and a backlog overflow drops
// whole GOPs and waits for the next keyframe. onMetaData always goes out at timestamp 0: a player's
// FLV demuxer (ffmpeg's, for one) turns a script tag at any other time into a text stream, and a
// remuxer then holds every packet waiting to interleave that stream.
import type { FlvTag } from '../flv/flv-tag.js';
import { TAG_AUDIO, isEndOfSequence, isKeyframe, isMetadata, isSequenceHeader } from '../flv/flv-tag.js';
import { type BacklogLimits, DEFAULT_BACKLOG, type QueuedTag, TagBacklog } from '../flv/tag-backlog.js';
import type { TimestampRebaser } from '../flv/timestamp-rebaser.js';

/** A tag body ready to go out as one RTMP message at `ts` on the relay's timeline. */
export interface FeedTag extends QueuedTag {
  /** FLV tag type: 8 audio, 9 video, 18 script (metadata). */
  type: number;
  /** The message's timestamp: `ts`, except metadata at 0. */
  timestamp: number;
}

export class RelayFeed {
  private readonly backlog: TagBacklog<FeedTag>;
  private waitForSync = true;
  private pendingConfig: FlvTag[] = [];
  /** The latest metadata and sequence headers: re-sent at the next keyframe after a drop. */
  private config: FlvTag[] = [];

  constructor(
    private readonly rebaser: TimestampRebaser,
    /** Whether the stream carries video (then only keyframes are sync points). */
    private readonly hasVideo: () => boolean,
    /** Called with the number of GOPs dropped on overflow. */
    private readonly onDrop: (gops: number) => void,
    limits: BacklogLimits = DEFAULT_BACKLOG,
  ) {
    this.backlog = new TagBacklog<FeedTag>(limits);
  }

  get queued(): number {
    return this.backlog.length;
  }

  get queuedBytes(): number {
    return this.backlog.bytes;
  }

  /** Media time between the oldest and newest waiting tag. */
  get queuedMs(): number {
    return this.backlog.spanMs;
  }

  get waitingForSync(): boolean {
    return this.waitForSync;
  }

  /** The next media starts a new segment: rebase it, and resend config at the next sync point. */
  discontinuity(): void {
    this.rebaser.discontinuity();
    this.waitForSync = true;
    this.pendingConfig = [];
    this.config = [];
  }

  push(tag: FlvTag): void {
    if (isMetadata(tag) || isSequenceHeader(tag)) {
      this.config = upsertConfig(this.config, tag);
      if (this.waitForSync) this.pendingConfig = upsertConfig(this.pendingConfig, tag);
      else this.enqueue(tag, Math.max(0, this.rebaser.lastTimestamp), false);
      return;
    }
    if (isEndOfSequence(tag)) return;
    const sync = this.hasVideo() ? isKeyframe(tag) : tag.type === TAG_AUDIO;
    if (this.waitForSync) {
      if (!sync) return;
      this.waitForSync = false;
    }
    const ts = this.rebaser.map(tag.timestamp);
    const config = this.pendingConfig;
    this.pendingConfig = [];
    for (const c of config) if (!this.enqueue(c, ts, false)) return;
    this.enqueue(tag, ts, sync);
  }

  shift(): FeedTag | undefined {
    return this.backlog.shift();
  }

  /** Queues a tag at media time `ts` (metadata is written at 0). False if the queue overflowed. */
  private enqueue(tag: FlvTag, ts: number, keyframe: boolean): boolean {
    const dropped = this.backlog.push({ type: tag.type, buf: tag.data, ts, timestamp: isMetadata(tag) ? 0 : ts, keyframe });
    if (dropped === 0) return true;
    // Config tags may have gone with the dropped GOPs: send them again at the next keyframe.
    this.waitForSync = true;
    this.pendingConfig = [...this.config];
    this.onDrop(dropped);
    return false;
  }
}

function upsertConfig(list: FlvTag[], tag: FlvTag): FlvTag[] {
  const same = (c: FlvTag) => c.type === tag.type && isMetadata(c) === isMetadata(tag);
  return list.some(same) ? list.map((c) => (same(c) ? tag : c)) : [...list, tag];
}
