// One encoder at a time for the relays, switched make-before-break: a new source (or the same
// source at a new bitrate, the ffmpeg path's way to bend to a weak upload) starts beside the
// running encoder, and the relays are cut over at its first keyframe. Stopping the old encoder
// first would leave every server without media for as long as ffmpeg takes to start (half a
// second or more); this way the relays see one new stream, a discontinuity their timelines
// already absorb, and no gap.
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import type { Logger } from '../base/logger.js';
import type { FlvHeader } from '../flv/flv-parser.js';
import { type FlvTag, TAG_AUDIO, isKeyframe, isMetadata, isSequenceHeader } from '../flv/flv-tag.js';
import type { Encoder, EncoderStatus } from './encoder.js';
import type { ResolvedSource } from './source.js';

export class SwitchFailedError extends Error {
  readonly code = 'switch-failed';
}

interface Pending {
  encoder: Encoder;
  source: ResolvedSource;
  header: FlvHeader | null;
  /** Set-up tags (metadata, sequence headers) seen before the cut: the relays need them first. */
  setup: FlvTag[];
  settle: (err?: Error) => void;
  /** Wall clock (performance.now) when it was started, and when its first media tag arrived. */
  startedAt: number;
  firstMediaAt: number | null;
}

/**
 * Whether a generated source's keyframe is fresh: its media was made after the encoder's first
 * output appeared. The frames before that (ffmpeg's start-up, encoded in a burst once it runs) are
 * already old when they arrive; cutting at the first of them would put them on the timeline after
 * the old encoder's newest frames, so every switch would replay that start-up (0.2–0.6 s measured,
 * more on a loaded machine) and the webcast's timeline (and the recording) would run ahead of the
 * clock by as much. A generated source's clock starts at 0 no earlier than the encoder started, so
 * a keyframe at `ts` was made no earlier than startedAt + ts. The camera's chunks come live with a
 * clock of their own: the first keyframe is taken.
 */
function isFresh(p: Pending, ts: number): boolean {
  return p.source.kind === 'chunks' || p.startedAt + ts >= (p.firstMediaAt ?? Infinity);
}

export class SeamlessEncoder implements IDisposable {
  private current: Encoder | null = null;
  private currentSource: ResolvedSource | null = null;
  private pending: Pending | null = null;
  private stopped = false;

  private readonly _onHeader = new Emitter<FlvHeader>();
  /** A new stream starts (the first encoder, or a cut-over): its tags follow. */
  readonly onHeader = this._onHeader.event;
  private readonly _onTag = new Emitter<FlvTag>();
  readonly onTag = this._onTag.event;
  private readonly _onStatus = new Emitter<EncoderStatus>();
  /** The running encoder's status (a pending one's is not the webcast's). */
  readonly onStatus = this._onStatus.event;

  constructor(
    private readonly make: (source: ResolvedSource) => Encoder,
    private readonly log: Logger,
  ) {}

  get source(): ResolvedSource | null {
    return this.currentSource;
  }

  start(source: ResolvedSource): void {
    if (this.current || this.stopped) return;
    const enc = this.make(source);
    this.adopt(enc, source);
    enc.onHeader((h) => this.current === enc && this._onHeader.fire(h));
    enc.onTag((t) => this.current === enc && this._onTag.fire(t));
    enc.start();
  }

  /**
   * Starts `source` beside the running encoder and cuts the relays over at its first fresh keyframe
   * (isFresh; the first audio frame for a stream without video); the old encoder stops then. Resolves at the cut.
   * If the new one produces nothing usable within `timeoutMs`, it is stopped, the old one keeps
   * running, and this rejects with SwitchFailedError. A second switch replaces a pending one.
   */
  switchTo(source: ResolvedSource, timeoutMs = 10_000): Promise<void> {
    if (this.stopped) return Promise.reject(new SwitchFailedError('The encoder was stopped'));
    if (!this.current) {
      this.start(source);
      return Promise.resolve();
    }
    this.abandonPending('replaced by a newer switch');
    const enc = this.make(source);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.abandonPending(`no keyframe from the new source within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
      timer.unref();
      const p: Pending = {
        encoder: enc,
        source,
        header: null,
        setup: [],
        startedAt: performance.now(),
        firstMediaAt: null,
        settle: (err) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        },
      };
      this.pending = p;
      enc.onHeader((h) => {
        if (this.pending === p) {
          p.header = h;
          p.setup = [];
        } else if (this.current === enc) this._onHeader.fire(h);
      });
      enc.onTag((t) => {
        if (this.current === enc) return this._onTag.fire(t);
        if (this.pending !== p) return;
        if (isMetadata(t) || isSequenceHeader(t)) return void p.setup.push(t);
        const startsStream = p.header?.hasVideo ? isKeyframe(t) : t.type === TAG_AUDIO;
        p.firstMediaAt ??= performance.now();
        if (startsStream && p.header && isFresh(p, t.timestamp)) this.cutOver(p, t);
      });
      enc.start();
    });
  }

  /** Media bytes for a `chunks` source: to the pending encoder while it waits for them, else the running one. */
  push(chunk: Buffer): boolean {
    if (this.pending?.source.kind === 'chunks') return this.pending.encoder.push(chunk);
    return this.current?.push(chunk) ?? false;
  }

  /** Stops the running and any pending encoder; resolves when both have exited. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    const pending = this.pending;
    this.abandonPending('the encoder was stopped');
    const current = this.current;
    this.current = null;
    await Promise.all([current?.stop(), pending?.encoder.stop()]);
    this._onHeader.dispose();
    this._onTag.dispose();
    this._onStatus.dispose();
  }

  dispose(): void {
    void this.stop();
  }

  private cutOver(p: Pending, first: FlvTag): void {
    const old = this.current;
    this.pending = null;
    this.adopt(p.encoder, p.source);
    this._onHeader.fire(p.header!);
    // Set-up tags carry 0; stamped with the cut's time, so the relays' timelines start the new stream there, not a keyframe's worth earlier.
    for (const t of p.setup) this._onTag.fire({ ...t, timestamp: first.timestamp });
    this._onTag.fire(first);
    this.log.info({ source: p.source.kind }, 'switched encoders at a keyframe');
    p.settle();
    void old?.stop();
  }

  private adopt(enc: Encoder, source: ResolvedSource): void {
    this.current = enc;
    this.currentSource = source;
    enc.onStatus((s) => this.current === enc && this._onStatus.fire(s));
  }

  private abandonPending(why: string): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    void p.encoder.stop();
    this.log.warn({ why }, 'encoder switch abandoned');
    p.settle(new SwitchFailedError(`The switch did not happen: ${why}`));
  }
}
