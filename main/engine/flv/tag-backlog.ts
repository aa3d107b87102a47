// A relay's bounded queue of tags waiting for its server's socket to accept them.
// On overflow it drops everything queued (whole GOPs) and the relay resumes at the next
// keyframe: dropping single tags would corrupt the stream for the server's viewers.

export interface QueuedTag {
  buf: Buffer;
  /** Output timestamp (ms). */
  ts: number;
  keyframe: boolean;
}

export interface BacklogLimits {
  /** Media time the queue may span before it overflows. */
  maxMs: number;
  maxBytes: number;
}

export const DEFAULT_BACKLOG: BacklogLimits = { maxMs: 4000, maxBytes: 8 * 1024 * 1024 };

export class TagBacklog<T extends QueuedTag = QueuedTag> {
  private items: T[] = [];
  private head = 0;
  private bytesQueued = 0;

  constructor(private readonly limits: BacklogLimits = DEFAULT_BACKLOG) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.bytesQueued;
  }

  /** Media time between the oldest and newest queued tag. */
  get spanMs(): number {
    if (this.length === 0) return 0;
    return this.items[this.items.length - 1]!.ts - this.items[this.head]!.ts;
  }

  /**
   * Queues a tag. Returns the number of GOPs dropped (0 when within limits); on overflow the
   * queue is emptied and the caller must wait for the next keyframe.
   */
  push(item: T): number {
    this.items.push(item);
    this.bytesQueued += item.buf.length;
    if (this.spanMs <= this.limits.maxMs && this.bytesQueued <= this.limits.maxBytes) return 0;
    let gops = 0;
    for (let i = this.head; i < this.items.length; i++) if (this.items[i]!.keyframe) gops++;
    this.clear();
    return Math.max(1, gops);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++]!;
    this.bytesQueued -= item.buf.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytesQueued = 0;
  }
}
