// One ffmpeg child (the encoder: servers are published to in-process, so no ffmpeg ever gets a
// publish URL): logs its command line, keeps the tail of stderr (URLs masked) for error reports,
// and stops idempotently (stdin end or SIGINT, then SIGKILL). It never outlives the engine: the
// encoder writes its stdout (EPIPE when we die).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { Emitter } from '../../../common/event.js';
import { redactText } from '../../../common/redact.js';
import type { Logger } from '../base/logger.js';

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last stderr lines, secrets masked. */
  stderrTail: string[];
  /** True when stop() asked for the exit. */
  requested: boolean;
}

export interface FfmpegProcessOptions {
  ffmpegPath: string;
  args: string[];
  logger: Logger;
  /** Pipe stdin for writing (chunk sources). */
  stdin?: boolean;
  /** Pipe stdout for reading (the encoder's FLV). */
  stdout?: boolean;
  /** How stop() asks ffmpeg to finish before SIGKILL. */
  gracefulStop?: 'end-stdin' | 'sigint' | 'none';
  killAfterMs?: number;
}

const STDERR_TAIL = 40;

export class FfmpegProcess {
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private stopRequested = false;
  private exited = false;
  private killTimer: NodeJS.Timeout | null = null;
  private readonly exitPromise: Promise<FfmpegExit>;

  private readonly _onStderrLine = new Emitter<string>();
  readonly onStderrLine = this._onStderrLine.event;
  private readonly _onExit = new Emitter<FfmpegExit>();
  readonly onExit = this._onExit.event;

  constructor(private readonly opts: FfmpegProcessOptions) {
    const args = opts.args;
    opts.logger.debug({ cmd: redactText([opts.ffmpegPath, ...args].join(' ')) }, 'spawning ffmpeg');
    this.child = spawn(opts.ffmpegPath, args, {
      stdio: [opts.stdin ? 'pipe' : 'ignore', opts.stdout ? 'pipe' : 'ignore', 'pipe'],
      windowsHide: true,
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.pushTail(`spawn error: ${err.message}`);
        this.finish(resolve, null, null);
      });
      this.child.once('close', (code, signal) => this.finish(resolve, code, signal));
    });
    this.child.stdin?.on('error', () => {
      /* EPIPE when ffmpeg exits first: the exit handler reports it */
    });
    this.readLines(this.child.stderr, (line) => {
      const safe = redactText(line);
      this.pushTail(safe);
      this._onStderrLine.fire(safe);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdin(): Writable | null {
    return this.child.stdin;
  }

  get stdout(): Readable | null {
    return this.child.stdout;
  }

  get isRunning(): boolean {
    return !this.exited;
  }

  get stderrTail(): string[] {
    return [...this.tail];
  }

  wait(): Promise<FfmpegExit> {
    return this.exitPromise;
  }

  /** Asks ffmpeg to finish, then kills it after killAfterMs. Safe to call twice. */
  stop(): Promise<FfmpegExit> {
    if (!this.stopRequested && !this.exited) {
      this.stopRequested = true;
      const mode = this.opts.gracefulStop ?? 'sigint';
      if (mode === 'end-stdin' && this.child.stdin) this.child.stdin.end();
      else if (mode === 'sigint') this.child.kill('SIGINT');
      else this.child.kill('SIGKILL');
      this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), this.opts.killAfterMs ?? 2000);
    }
    return this.exitPromise;
  }

  /** Immediate SIGKILL (an encoder that hangs cannot be asked nicely). */
  kill(): Promise<FfmpegExit> {
    this.stopRequested = true;
    if (!this.exited) this.child.kill('SIGKILL');
    return this.exitPromise;
  }

  private finish(resolve: (e: FfmpegExit) => void, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    const exit: FfmpegExit = { code, signal, stderrTail: [...this.tail], requested: this.stopRequested };
    resolve(exit);
    this._onExit.fire(exit);
    this._onExit.dispose();
    this._onStderrLine.dispose();
  }

  private pushTail(line: string): void {
    this.tail.push(line);
    if (this.tail.length > STDERR_TAIL) this.tail.shift();
  }

  private readLines(stream: Readable | null, onLine: (l: string) => void): void {
    if (!stream) return;
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (s: string) => {
      const parts = (rest + s).split(/\r?\n|\r/);
      rest = parts.pop() ?? '';
      for (const p of parts) if (p.trim()) onLine(p.trim());
    });
    stream.on('error', () => {});
  }
}
