// The engine's one encoder, as the rest of the engine sees it: started with a source, switched to
// another, and bent to a lower video bitrate when the uplink controller asks (issue #12).
//   - ffmpeg-generated sources (test pattern, slate) switch make-before-break (seamless-encoder.ts),
//     a new bitrate included: the relays never wait for an ffmpeg to start.
//   - Pushed chunks (the presenter's camera) come already encoded: the bitrate is the capture's to
//     change (WebCodecs takes a new one on configure()), so the stage asks it through onVideoBitrate.
//     Switches to or from chunks stop the old encoder first: the app pushes the new chunks only once
//     the switch is done, so a pending chunk encoder would wait for bytes that never come.
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import type { Logger } from '../base/logger.js';
import type { FlvHeader } from '../flv/flv-parser.js';
import type { FlvTag } from '../flv/flv-tag.js';
import type { EncoderRates } from '../uplink/uplink-controller.js';
import { Encoder, type EncoderStatus } from './encoder.js';
import { SeamlessEncoder } from './seamless-encoder.js';
import type { ResolvedSource } from './source.js';
import { planFromMimeType } from './matroska-sniff.js';

/** The AAC rate every video source encodes its audio at (encoder-args.ts). */
export const AUDIO_BPS = 128_000;

export interface EncoderStageHandlers {
  onHeader(h: FlvHeader): void;
  onTag(t: FlvTag): void;
  onStatus(s: EncoderStatus): void;
}

export class EncoderStage implements IDisposable {
  private encoder: SeamlessEncoder | null = null;
  /** The source at full quality, as asked for; the running one may be a lower step of it. */
  private full: ResolvedSource | null = null;
  private fraction = 1;
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();

  private readonly _onVideoBitrate = new Emitter<number>();
  /** The camera's encoder should take this video bitrate (bits/s) from now on. */
  readonly onVideoBitrate = this._onVideoBitrate.event;

  constructor(
    private readonly ffmpegPath: string,
    private readonly log: Logger,
    private readonly on: EncoderStageHandlers,
  ) {}

  start(source: ResolvedSource): void {
    this.full = source;
    this.encoder = this.create();
    this.encoder.start(this.scaled(source));
    this.announceCapture();
  }

  /** Switches the source; one switch at a time, in order. */
  switchSource(source: ResolvedSource): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.stopped) return;
      const from = this.full;
      this.full = source;
      if (this.encoder && from && from.kind !== 'chunks' && source.kind !== 'chunks') {
        await this.encoder.switchTo(this.scaled(source));
        return;
      }
      const old = this.encoder;
      this.encoder = null;
      await old?.stop();
      if (this.stopped) return;
      this.encoder = this.create();
      this.encoder.start(this.scaled(source));
      this.announceCapture();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  push(chunk: Buffer): boolean {
    return this.encoder?.push(chunk) ?? false;
  }

  /** The full rates of what runs now; null when there is no video to bend (audio only, a still slate). */
  rates(): EncoderRates | null {
    const s = this.full;
    if (!s || (s.kind !== 'test' && s.kind !== 'chunks')) return null;
    // Audio-only capture has no video to bend: the controller then only judges, never "reduces".
    if (s.kind === 'chunks' && planFromMimeType(s.mimeType) === 'none') return null;
    return { videoBps: s.videoKbps * 1000, audioBps: AUDIO_BPS };
  }

  /** Encode the video at `fraction` of its full rate from now on. */
  setVideoFraction(fraction: number): void {
    if (fraction === this.fraction) return;
    this.fraction = fraction;
    const s = this.full;
    if (!s) return;
    if (s.kind === 'chunks') return this.announceCapture();
    if (s.kind !== 'test') return;
    this.log.info({ fraction }, 'video bitrate changed for the upload');
    void this.switchSource(s).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'bitrate change did not take; keeping the running encoder'));
  }

  stop(): Promise<void> {
    this.stopped = true;
    const enc = this.encoder;
    this.encoder = null;
    this._onVideoBitrate.dispose();
    return enc?.stop() ?? Promise.resolve();
  }

  dispose(): void {
    void this.stop();
  }

  /** The camera encodes its own video: tell it the current step (again, after a switch back to it). */
  private announceCapture(): void {
    const s = this.full;
    if (s?.kind === 'chunks' && !this.stopped) this._onVideoBitrate.fire(Math.round(s.videoKbps * 1000 * this.fraction));
  }

  private create(): SeamlessEncoder {
    const enc = new SeamlessEncoder((s) => new Encoder(s, this.ffmpegPath, this.log), this.log);
    enc.onHeader((h) => this.on.onHeader(h));
    enc.onTag((t) => this.on.onTag(t));
    enc.onStatus((s) => this.on.onStatus(s));
    return enc;
  }

  /** The source at the current step of the ladder (generated sources only; the floor is the schema's). */
  private scaled(source: ResolvedSource): ResolvedSource {
    if (source.kind !== 'test' || this.fraction === 1) return source;
    return { ...source, videoKbps: Math.max(100, Math.round(source.videoKbps * this.fraction)) };
  }
}
