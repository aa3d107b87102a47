// The one encoder: a source goes in, FLV tags come out, once, for every server. Generated
// sources that die are restarted with backoff; a pushed-chunk source replays its Matroska init
// segment so a restarted ffmpeg can pick up the next chunk.
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import { Backoff } from '../base/backoff.js';
import type { Logger } from '../base/logger.js';
import { FfmpegProcess } from '../ffmpeg/ffmpeg-process.js';
import { FlvParser, type FlvHeader } from '../flv/flv-parser.js';
import type { FlvTag } from '../flv/flv-tag.js';
import { encoderArgs } from './encoder-args.js';
import { type VideoPlan, initSegment, planFromHeader, planFromMimeType } from './matroska-sniff.js';
import type { ResolvedSource } from './source.js';

export interface EncoderStatus {
  state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';
  message: string;
}

/** How much pushed media may wait before ffmpeg takes it; beyond this the app is feeding too fast. */
const MAX_PENDING_INPUT = 32 * 1024 * 1024;
const SNIFF_LIMIT = 256 * 1024;

export class Encoder implements IDisposable {
  private proc: FfmpegProcess | null = null;
  private readonly parser: FlvParser;
  private readonly backoff = new Backoff({ initialMs: 250, maxMs: 5000, factor: 2, jitter: 0.1 });
  private stopping = false;
  private stopPromise: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private plan: VideoPlan | null;
  private sniffed: Buffer[] = [];
  private sniffedBytes = 0;
  private init: Buffer | null = null;
  private initParts: Buffer[] = [];
  private initBytes = 0;

  private readonly _onHeader = new Emitter<FlvHeader>();
  readonly onHeader = this._onHeader.event;
  private readonly _onTag = new Emitter<FlvTag>();
  readonly onTag = this._onTag.event;
  private readonly _onStatus = new Emitter<EncoderStatus>();
  readonly onStatus = this._onStatus.event;

  constructor(
    private readonly source: ResolvedSource,
    private readonly ffmpegPath: string,
    private readonly log: Logger,
  ) {
    this.parser = new FlvParser(
      (h) => this._onHeader.fire(h),
      (t) => this._onTag.fire(t),
    );
    this.plan = source.kind === 'chunks' ? planFromMimeType(source.mimeType) : 'transcode';
  }

  start(): void {
    if (this.proc || this.stopping) return;
    this._onStatus.fire({ state: 'starting', message: 'Starting the encoder' });
    // A chunk source whose codec is not known yet starts on the first chunk (see push()).
    if (this.plan !== null) this.spawn();
  }

  /** Media bytes for a `chunks` source. Returns false when the input is backing up. */
  push(chunk: Buffer): boolean {
    if (this.source.kind !== 'chunks' || this.stopping) return false;
    this.captureInit(chunk);
    if (!this.proc && this.plan === null) {
      // Codec not known yet: hold the bytes until the Tracks element tells us.
      this.sniffed.push(chunk);
      this.sniffedBytes += chunk.length;
      const head = Buffer.concat(this.sniffed);
      this.plan = planFromHeader(head) ?? (this.sniffedBytes > SNIFF_LIMIT ? 'transcode' : null);
      if (this.plan === null) return true;
      this.sniffed = [];
      this.sniffedBytes = 0;
      this.spawn();
      return this.writeInput(head);
    }
    if (!this.proc) return true; // restarting: this chunk is lost, the next one continues
    return this.writeInput(chunk);
  }

  /** Keeps the Matroska init segment (bytes before the first Cluster) for restarts. */
  private captureInit(chunk: Buffer): void {
    if (this.init || this.initBytes > SNIFF_LIMIT) return;
    this.initParts.push(chunk);
    this.initBytes += chunk.length;
    this.init = initSegment(Buffer.concat(this.initParts));
    if (this.init || this.initBytes > SNIFF_LIMIT) this.initParts = [];
  }

  stop(): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const proc = this.proc;
    this.stopPromise = (async () => {
      if (proc) await proc.stop();
      this.proc = null;
      this._onStatus.fire({ state: 'stopped', message: 'Encoder stopped' });
      this._onHeader.dispose();
      this._onTag.dispose();
      this._onStatus.dispose();
    })();
    return this.stopPromise;
  }

  dispose(): void {
    void this.stop();
  }

  private writeInput(buf: Buffer): boolean {
    const stdin = this.proc?.stdin;
    if (!stdin) return false;
    if (stdin.writableLength > MAX_PENDING_INPUT) {
      this.log.warn({ pending: stdin.writableLength }, 'encoder input is backing up; dropping a chunk');
      return false;
    }
    return stdin.write(buf);
  }

  private spawn(): void {
    this.restartTimer = null;
    if (this.stopping) return;
    const chunks = this.source.kind === 'chunks';
    const proc = new FfmpegProcess({
      ffmpegPath: this.ffmpegPath,
      args: encoderArgs(this.source, this.plan ?? 'transcode'),
      logger: this.log,
      stdin: chunks,
      stdout: true,
      gracefulStop: chunks ? 'end-stdin' : 'sigint',
      killAfterMs: 2000,
    });
    this.proc = proc;
    this.parser.reset();
    let running = false;
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (proc !== this.proc) return;
      if (!running) {
        running = true;
        this._onStatus.fire({ state: 'running', message: 'Encoding' });
      }
      try {
        this.parser.push(chunk);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'the encoder wrote invalid FLV; restarting it');
        void proc.kill();
      }
    });
    proc.onExit((e) => {
      if (proc !== this.proc) return;
      this.proc = null;
      if (this.stopping) return;
      if (running) this.backoff.reset();
      const why = e.stderrTail.slice(-3).join(' | ') || `exit code ${e.code}`;
      const delay = this.backoff.next();
      this.log.error({ code: e.code, signal: e.signal, retryInMs: delay }, `encoder exited: ${why}`);
      this._onStatus.fire({ state: 'restarting', message: `The encoder stopped (${why}); restarting` });
      this.restartTimer = setTimeout(() => {
        this.spawn();
        if (chunks && this.init) this.writeInput(this.init);
      }, delay);
      this.restartTimer.unref();
    });
  }
}
