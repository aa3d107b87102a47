// The local recording: what the encoder produced, at the encoder's current rate, written as the
// webcast runs. It taps the encoder before any relay, so it never stops while the network is gone,
// and nothing it does can stop the webcast: a failing disk ends the recording with a warning.
//
// ffmpeg remuxes the FLV tags (copy, no re-encode) into Matroska, which plays without an index:
// if the app is killed, ffmpeg sees its stdin close and finishes the file itself; if the machine
// dies, what was written still plays. A new part starts when the stream's codec set-up changes (a
// source switch to other dimensions), since one Matroska track keeps one set-up.
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import type { Logger } from '../base/logger.js';
import { FfmpegProcess } from '../ffmpeg/ffmpeg-process.js';
import type { FlvHeader } from '../flv/flv-parser.js';
import { type FlvTag, isSequenceHeader } from '../flv/flv-tag.js';
import { encodeFlvHeader, encodeFlvTag } from '../flv/flv-writer.js';
import { TimestampRebaser } from '../flv/timestamp-rebaser.js';

export interface RecordingStatus {
  state: 'recording' | 'finished' | 'failed';
  /** The parts written so far, oldest first (usually one). */
  files: string[];
  bytes: number;
  /** Media time recorded, ms. */
  durationMs: number;
  /** Free space on the recording's disk at the last check, bytes; null before the first. */
  freeBytes: number | null;
  /** Why the recording ended early, in words; null while it runs or after a normal finish. */
  warning: string | null;
}

export interface RecorderOptions {
  /** Folder the recording goes to (the app's recordings folder). */
  dir: string;
  /** File name without extension; parts get " (2)", " (3)". */
  baseName: string;
  ffmpegPath: string;
  logger: Logger;
  /** Below this much free space the recording stops (default 500 MB). */
  minFreeBytes?: number;
  /** How much may wait for a slow disk before the recording gives up (default 64 MiB). */
  maxPendingBytes?: number;
  checkEveryMs?: number;
  now?: () => number;
}

const MB = 1024 * 1024;

export class Recorder implements IDisposable {
  private proc: FfmpegProcess | null = null;
  private readonly files: string[] = [];
  private bytes = 0;
  private firstTs: number | null = null;
  private lastTs = 0;
  private freeBytes: number | null = null;
  private state: RecordingStatus['state'] = 'recording';
  private warning: string | null = null;
  private header: FlvHeader | null = null;
  /** This part's codec set-up (sequence headers by tag type): a different one starts a new part. */
  private setup = new Map<number, Buffer>();
  private readonly rebaser: TimestampRebaser;
  private readonly timer: NodeJS.Timeout;
  private stopping: Promise<void> | null = null;

  private readonly _onStatus = new Emitter<RecordingStatus>();
  readonly onStatus = this._onStatus.event;

  constructor(private readonly o: RecorderOptions) {
    this.rebaser = new TimestampRebaser(o.now);
    this.timer = setInterval(() => void this.checkDisk(), o.checkEveryMs ?? 2000);
    this.timer.unref();
    void this.checkDisk();
  }

  status(): RecordingStatus {
    return {
      state: this.state,
      files: [...this.files],
      bytes: this.bytes,
      durationMs: this.firstTs === null ? 0 : this.lastTs - this.firstTs,
      freeBytes: this.freeBytes,
      warning: this.warning,
    };
  }

  /** The encoder (re)started: its tags start a new segment of the recording's one timeline. */
  onHeader(h: FlvHeader): void {
    if (this.state !== 'recording' || this.stopping) return;
    if (this.header && (this.header.hasAudio !== h.hasAudio || this.header.hasVideo !== h.hasVideo)) this.endPart();
    this.header = h;
    this.rebaser.discontinuity();
  }

  onTag(tag: FlvTag): void {
    if (this.state !== 'recording' || this.stopping || !this.header) return;
    const setupTag = isSequenceHeader(tag);
    if (setupTag) {
      const known = this.setup.get(tag.type);
      if (known && !known.equals(tag.data)) void this.endPart();
      this.setup.set(tag.type, Buffer.from(tag.data));
    }
    const ts = this.rebaser.map(tag.timestamp);
    let proc = this.proc;
    if (!proc) {
      // A new part opens with the set-up of every track, this tag's included.
      proc = this.startPart(ts);
      if (setupTag) return;
    }
    this.firstTs ??= ts;
    this.lastTs = Math.max(this.lastTs, ts);
    this.write(proc, encodeFlvTag(tag.type, ts, tag.data));
  }

  /** Finishes the file (ffmpeg writes its index); resolves once it is complete on disk. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.timer);
      await this.endPart();
      if (this.state === 'recording') this.state = 'finished';
      await this.checkDisk();
      this.fire();
      this._onStatus.dispose();
    })();
    return this.stopping;
  }

  dispose(): void {
    void this.stop();
  }

  private startPart(ts: number): FfmpegProcess {
    const n = this.files.length + 1;
    const file = path.join(this.o.dir, `${this.o.baseName}${n > 1 ? ` (${n})` : ''}.mkv`);
    const proc = new FfmpegProcess({
      ffmpegPath: this.o.ffmpegPath,
      // The FLV header's flags tell ffmpeg which tracks come; copy, never re-encode.
      args: ['-hide_banner', '-loglevel', 'error', '-f', 'flv', '-i', 'pipe:0', '-map', '0', '-c', 'copy', '-f', 'matroska', '-y', file],
      logger: this.o.logger,
      stdin: true,
      gracefulStop: 'end-stdin',
      killAfterMs: 10_000,
    });
    proc.onExit((e) => {
      if (this.proc === proc) this.proc = null;
      if (e.requested || this.state !== 'recording') return;
      const full = e.stderrTail.some((l) => /no space left/i.test(l));
      this.fail(full ? 'Recording stopped: the disk is full. The webcast goes on.' : `Recording stopped: ffmpeg failed (${e.stderrTail.at(-1) ?? `exit ${e.code}`}). The webcast goes on.`);
    });
    this.proc = proc;
    this.files.push(file);
    this.write(proc, encodeFlvHeader(this.header!));
    for (const [type, data] of this.setup) this.write(proc, encodeFlvTag(type, ts, data));
    this.o.logger.info({ part: n }, 'recording a new part');
    this.fire();
    return proc;
  }

  private write(proc: FfmpegProcess, bytes: Buffer): void {
    if (!proc.stdin) return;
    proc.stdin.write(bytes);
    this.bytes += bytes.length;
    if (proc.stdin.writableLength > (this.o.maxPendingBytes ?? 64 * MB)) this.fail('Recording stopped: the disk is not keeping up. The webcast goes on.');
  }

  /** Ends the current part (a new one starts with the next tag); its sequence headers are replayed there. */
  private async endPart(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc) await proc.stop();
  }

  private fail(warning: string): void {
    if (this.state !== 'recording') return;
    this.state = 'failed';
    this.warning = warning;
    this.o.logger.warn({ warning }, 'recording stopped early');
    void this.endPart().then(() => this.fire());
  }

  private async checkDisk(): Promise<void> {
    try {
      const s = await statfs(this.o.dir);
      this.freeBytes = s.bavail * s.bsize;
    } catch {
      return;
    }
    const min = this.o.minFreeBytes ?? 500 * MB;
    if (this.state === 'recording' && this.freeBytes < min) {
      this.fail(`Recording stopped: the disk is almost full (${Math.round(this.freeBytes / MB)} MB left). The webcast goes on.`);
    }
    this.fire();
  }

  private fire(): void {
    this._onStatus.fire(this.status());
  }
}
