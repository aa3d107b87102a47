// One server's fault domain: its own ffmpeg (`-f flv -i pipe:0 -c copy -f flv <url>`), its own
// bounded backlog and its own timeline. A relay that dies, stalls or is refused never touches the
// others; it re-joins by itself with backoff, replaying the join cache so the server decodes
// from a keyframe. The full URL (with its key) is only ever handed to ffmpeg, never logged.
import net from 'node:net';
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import { publishUrlSecrets } from '../../../common/publish-url.js';
import type { FailureReason, ServerSnapshot, ServerState } from '../../../common/streaming.js';
import { Backoff, type BackoffPolicy, DEFAULT_BACKOFF } from '../base/backoff.js';
import type { Logger } from '../base/logger.js';
import { FfmpegProcess } from '../ffmpeg/ffmpeg-process.js';
import type { FlvHeader } from '../flv/flv-parser.js';
import type { FlvTag } from '../flv/flv-tag.js';
import { encodeFlvHeader } from '../flv/flv-writer.js';
import { type BacklogLimits, DEFAULT_BACKLOG } from '../flv/tag-backlog.js';
import { TimestampRebaser } from '../flv/timestamp-rebaser.js';
import { type Classified, classifyRelayExit } from './classify-exit.js';
import { RelayFeed } from './relay-feed.js';

/** What a relay replays when it (re)joins: provided by the engine's join cache. */
export interface JoinSource {
  readonly header: FlvHeader | null;
  readonly hasVideo: boolean;
  joinTags(): FlvTag[];
}

export interface RelayOptions {
  id: string;
  /** Full publish URL including the stream key: handed to ffmpeg only. */
  url: string;
  /** Masked URL for logs and the UI. */
  label: string;
  ffmpegPath: string;
  logger: Logger;
  now?: () => number;
  backoff?: BackoffPolicy;
  backlog?: BacklogLimits;
  /** Bytes waiting and none accepted for this long → stalled. */
  stallTimeoutMs?: number;
  /** Spawn → publishing must take less than this → otherwise timeout. */
  publishTimeoutMs?: number;
  /** A publish that survives this long counts as accepted (servers close refused keys at once). */
  confirmMs?: number;
  /** While a server refuses connections, how often to look for it coming back. */
  watchIntervalMs?: number;
  /** Minimum delay after a refused key or a taken stream name. */
  rejectedFloorMs?: number;
}

export interface GopDrop {
  id: string;
  gops: number;
  total: number;
}

/** Stdin bytes in flight to ffmpeg before we keep tags in our own (droppable) backlog. */
const STDIN_HIGH_WATER = 64 * 1024;
/** A live session this long is healthy: the next failure starts the backoff from the beginning. */
const STABLE_MS = 5000;

// analyzeduration 0 would mean ffmpeg's default (5 s): an audio-only relay would wait seconds.
const FFMPEG_RELAY_INPUT = ['-hide_banner', '-nostats', '-loglevel', process.env.TANDEM_RELAY_LOGLEVEL ?? 'warning', '-probesize', '32768', '-analyzeduration', '100000', '-f', 'flv', '-i', 'pipe:0'];
// -rw_timeout bounds every network wait of ffmpeg's own: a relay stuck in the handshake with a
// silent server reads no stdin, so without it the relay would outlive a killed engine. It is set
// above the engine's own stall and publish timeouts, which decide (and name the reason) first.
const FFMPEG_RELAY_OUTPUT = ['-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-copyts', '-f', 'flv', '-flvflags', 'no_duration_filesize', '-rtmp_live', 'live', '-rw_timeout', '5000000'];

interface Session {
  proc: FfmpegProcess;
  startedAt: number;
  headerWritten: boolean;
  publishedAt: number | null;
  confirmed: boolean;
  totalSize: number;
  lastProgressAt: number;
  /** Last time we handed bytes to ffmpeg's stdin. */
  lastFedAt: number;
  feed: RelayFeed;
  draining: boolean;
}

export class Relay implements IDisposable {
  private readonly now: () => number;
  private readonly backoff: Backoff;
  private readonly rebaser: TimestampRebaser;
  private readonly log: Logger;
  private session: Session | null = null;
  private state: ServerState = 'idle';
  private reason: FailureReason | null = null;
  private message = 'Not started';
  private since: number;
  private nextAttemptAt: number | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private stopPromise: Promise<void> | null = null;
  private everLive = false;
  private liveSince: number | null = null;
  private bytesBefore = 0;
  private reconnects = 0;
  private droppedGops = 0;
  private lastError: string | null = null;
  private samples: Array<[number, number]> = [];

  private readonly _onDidChange = new Emitter<ServerSnapshot>();
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidDrop = new Emitter<GopDrop>();
  readonly onDidDrop = this._onDidDrop.event;

  constructor(
    private readonly opts: RelayOptions,
    private readonly source: JoinSource,
  ) {
    this.now = opts.now ?? Date.now;
    this.since = this.now();
    this.backoff = new Backoff(opts.backoff ?? DEFAULT_BACKOFF);
    this.rebaser = new TimestampRebaser(this.now);
    this.log = opts.logger.child({ server: opts.id, target: opts.label });
  }

  get id(): string {
    return this.opts.id;
  }

  get currentState(): ServerState {
    return this.state;
  }

  /** ffmpeg's pid for the current session (tests and diagnostics). */
  get pid(): number | undefined {
    return this.session?.proc.pid;
  }

  /**
   * Source time `srcTs` on this server's own timeline (what its players see as FLV timestamps);
   * `nowSrcTs` is the source's current time, for a moment ahead while this relay is between segments.
   */
  timelineAt(srcTs: number, nowSrcTs: number): number {
    return this.rebaser.peek(srcTs, nowSrcTs);
  }

  start(): void {
    if (this.stopping || this.session || this.retryTimer) return;
    this.tickTimer = setInterval(() => this.tick(), 250);
    this.tickTimer.unref();
    this.setState('connecting', null, 'Connecting');
    this.startSession();
  }

  /** The encoder began a new FLV stream (start, restart or source switch). */
  onNewStream(header: FlvHeader, changed: boolean): void {
    const s = this.session;
    if (!s) return;
    if (!s.headerWritten) {
      this.writeHeader(s, header);
      return;
    }
    if (changed) {
      // The tracks changed (e.g. audio-only ↔ video): ffmpeg cannot add streams to a running
      // copy, so this relay starts a new session at once, without backoff.
      this.log.info('source tracks changed, restarting the relay session');
      void this.restartSession();
      return;
    }
    s.feed.discontinuity();
  }

  /** A live tag from the encoder. */
  write(tag: FlvTag): void {
    const s = this.session;
    if (!s || !s.headerWritten || !s.proc.isRunning) return;
    s.feed.push(tag);
    this.pump(s);
  }

  snapshot(): ServerSnapshot {
    const now = this.now();
    return {
      id: this.opts.id,
      label: this.opts.label,
      state: this.state,
      reason: this.reason,
      message: this.message,
      since: this.since,
      nextAttemptAt: this.nextAttemptAt,
      metrics: {
        bytesSent: this.bytesBefore + (this.session?.totalSize ?? 0),
        bitrateBps: this.bitrate(now),
        uptimeMs: this.state === 'live' && this.liveSince !== null ? now - this.liveSince : 0,
        reconnects: this.reconnects,
        droppedGops: this.droppedGops,
        lastError: this.lastError,
      },
    };
  }

  /** Stops the relay for good; safe to call twice. */
  stop(): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    this.stopping = true;
    this.clearTimers();
    const s = this.session;
    this.stopPromise = (async () => {
      if (s) await s.proc.stop();
      this.session = null;
      this.setState('stopped', null, 'Stopped');
      this._onDidChange.dispose();
      this._onDidDrop.dispose();
    })();
    return this.stopPromise;
  }

  dispose(): void {
    void this.stop();
  }

  // --- sessions -------------------------------------------------------------------------

  private startSession(): void {
    this.retryTimer = null;
    this.nextAttemptAt = null;
    this.stopWatch();
    if (this.stopping) return;
    const proc = new FfmpegProcess({
      ffmpegPath: this.opts.ffmpegPath,
      args: [...FFMPEG_RELAY_INPUT, ...FFMPEG_RELAY_OUTPUT, this.opts.url],
      logger: this.log,
      stdin: true,
      progress: true,
      gracefulStop: 'end-stdin',
      killAfterMs: 1500,
      secrets: publishUrlSecrets(this.opts.url),
    });
    const now = this.now();
    const s: Session = {
      proc,
      startedAt: now,
      headerWritten: false,
      publishedAt: null,
      confirmed: false,
      totalSize: 0,
      lastProgressAt: now,
      lastFedAt: 0,
      feed: new RelayFeed(this.rebaser, () => this.source.hasVideo, (gops) => this.onDrop(gops), this.opts.backlog ?? DEFAULT_BACKLOG),
      draining: false,
    };
    this.session = s;
    s.feed.discontinuity();
    proc.onProgress((p) => this.onProgress(s, p.totalSize));
    proc.onExit((e) => this.onSessionExit(s, e.stderrTail));
    if (this.source.header) this.writeHeader(s, this.source.header);
  }

  private writeHeader(s: Session, header: FlvHeader): void {
    s.headerWritten = true;
    s.proc.stdin?.write(encodeFlvHeader(header));
    for (const tag of this.source.joinTags()) s.feed.push(tag);
    this.pump(s);
  }

  private async restartSession(): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.session = null;
    this.bytesBefore += s.totalSize;
    await s.proc.kill();
    if (!this.stopping) this.startSession();
  }

  private onProgress(s: Session, totalSize: number): void {
    if (s !== this.session || this.stopping || totalSize <= s.totalSize) return;
    const now = this.now();
    s.totalSize = totalSize;
    s.lastProgressAt = now;
    this.samples.push([now, this.bytesBefore + totalSize]);
    if (s.publishedAt === null) {
      s.publishedAt = now;
    } else if (!s.confirmed && now - s.publishedAt >= (this.opts.confirmMs ?? 300)) {
      // Still sending after the confirm window: the server took the publish. (Servers that
      // refuse a key accept the publish command first, then close or stop reading.)
      s.confirmed = true;
      if (this.everLive) this.reconnects++;
      this.everLive = true;
      this.liveSince = s.publishedAt;
      this.setState('live', null, 'Live');
    }
  }

  private onSessionExit(s: Session, stderrTail: string[]): void {
    if (s !== this.session) return; // a session we replaced on purpose
    this.session = null;
    this.bytesBefore += s.totalSize;
    if (this.stopping) return;
    const now = this.now();
    this.log.debug({ stderr: stderrTail.slice(-5) }, 'relay ffmpeg exited');
    const facts = { stderrTail, published: s.publishedAt !== null, publishedForMs: s.publishedAt === null ? 0 : now - s.publishedAt };
    this.scheduleRetry(classifyRelayExit(facts), s.confirmed && this.liveSince !== null && now - this.liveSince >= STABLE_MS);
  }

  private fail(s: Session, c: Classified): void {
    // Stalled or hung sessions cannot be asked to stop: kill, then retry.
    if (s !== this.session) return;
    this.session = null;
    this.bytesBefore += s.totalSize;
    const wasStable = s.confirmed && this.liveSince !== null && this.now() - this.liveSince >= STABLE_MS;
    this.log.debug({ stderr: s.proc.stderrTail.slice(-25) }, 'relay ffmpeg killed');
    void s.proc.kill();
    this.scheduleRetry(c, wasStable);
  }

  private scheduleRetry(c: Classified, wasStable: boolean): void {
    if (this.stopping) return;
    if (wasStable) this.backoff.reset();
    const keyProblem = c.reason === 'publish-rejected' || c.reason === 'stream-in-use';
    const delay = this.backoff.next(keyProblem ? (this.opts.rejectedFloorMs ?? 2000) : 0);
    this.lastError = c.message;
    this.liveSince = null;
    this.nextAttemptAt = this.now() + delay;
    const secs = (delay / 1000).toFixed(delay < 1000 ? 1 : 0);
    this.setState(keyProblem ? 'failed' : 'reconnecting', c.reason, `${c.message}. Retrying in ${secs} s`);
    this.log.warn({ reason: c.reason, retryInMs: delay, attempt: this.backoff.attempts }, c.message);
    this.retryTimer = setTimeout(() => this.startSession(), delay);
    this.retryTimer.unref();
    // A server that refused connections is usually restarting: watch for it to accept again and
    // re-join at once, rather than sleeping out the backoff. A connect attempt costs nothing;
    // ffmpeg is only spawned when something listens.
    if (c.reason === 'refused' || c.reason === 'closed-by-server') this.startWatch();
  }

  private startWatch(): void {
    const target = new URL(this.opts.url);
    const port = Number(target.port) || (target.protocol === 'rtmps:' ? 443 : 1935);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    let probing = false;
    this.watchTimer = setInterval(() => {
      if (probing || this.stopping) return;
      probing = true;
      const sock = net.connect({ host, port });
      sock.setTimeout(1000);
      const done = (ok: boolean) => {
        sock.destroy();
        probing = false;
        if (ok && this.retryTimer && !this.stopping) {
          clearTimeout(this.retryTimer);
          this.log.info('server accepts connections again, re-joining now');
          this.startSession();
        }
      };
      sock.once('connect', () => done(true));
      sock.once('error', () => done(false));
      sock.once('timeout', () => done(false));
    }, this.opts.watchIntervalMs ?? 100);
    this.watchTimer.unref();
  }

  private stopWatch(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.retryTimer = null;
    this.tickTimer = null;
    this.nextAttemptAt = null;
    this.stopWatch();
  }

  /** Confirms publishes, and detects hung handshakes and stalled servers. */
  private tick(): void {
    const s = this.session;
    if (!s || this.stopping) return;
    const now = this.now();
    if (s.publishedAt === null) {
      if (now - s.startedAt > (this.opts.publishTimeoutMs ?? 4000)) {
        this.fail(s, { reason: 'timeout', message: 'The server accepted the connection but did not complete the RTMP publish in time' });
      }
      return;
    }
    // Fed but not sending: the server stopped taking data (SIGSTOPped, overloaded, or a server
    // that refused the key and stopped reading instead of closing).
    const fedSinceProgress = s.lastFedAt > s.lastProgressAt;
    if (fedSinceProgress && now - s.lastProgressAt > (this.opts.stallTimeoutMs ?? 4000)) {
      if (!s.confirmed) {
        this.fail(s, { reason: 'publish-rejected', message: 'The server took the publish but stopped taking data at once: the stream key or signature was likely refused' });
      } else {
        this.fail(s, { reason: 'stalled', message: 'The server stopped accepting data' });
      }
    }
  }

  // --- media path -----------------------------------------------------------------------

  private onDrop(gops: number): void {
    this.droppedGops += gops;
    this.log.warn({ gops, total: this.droppedGops }, 'server is too slow: dropped queued GOPs, resuming at the next keyframe');
    this._onDidDrop.fire({ id: this.opts.id, gops, total: this.droppedGops });
  }

  private pump(s: Session): void {
    const stdin = s.proc.stdin;
    if (!stdin || s.draining) return;
    while (s.feed.queued > 0 && stdin.writableLength < STDIN_HIGH_WATER) {
      stdin.write(s.feed.shift()!.buf);
      s.lastFedAt = this.now();
    }
    if (s.feed.queued > 0) {
      s.draining = true;
      stdin.once('drain', () => {
        s.draining = false;
        if (s === this.session) this.pump(s);
      });
    }
  }

  private bitrate(now: number): number {
    while (this.samples.length > 0 && now - this.samples[0]![0] > 1500) this.samples.shift();
    if (this.state !== 'live' || this.samples.length < 2) return 0;
    const windowStart = this.samples.find(([t]) => now - t <= 1000) ?? this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const dt = (last[0] - windowStart[0]) / 1000;
    return dt > 0 ? Math.round(((last[1] - windowStart[1]) * 8) / dt) : 0;
  }

  private setState(state: ServerState, reason: FailureReason | null, message: string): void {
    const changed = state !== this.state || reason !== this.reason || message !== this.message;
    this.state = state;
    this.reason = reason;
    this.message = message;
    if (!changed) return;
    this.since = this.now();
    this._onDidChange.fire(this.snapshot());
  }
}
