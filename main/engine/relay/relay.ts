// One server's fault domain: its own RTMP publisher (a socket in this process), its own bounded
// backlog and its own timeline. A session that is refused, stalls or drops never touches the
// others; it re-joins by itself with backoff, replaying the join cache so the server decodes from
// a keyframe. A key the server refuses three times in a row is not tried again until retry().
// The full URL (with its key) lives in the publisher only, never in a log or a process argument.
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import { parseRtmpTarget } from '../../../common/publish-url.js';
import type { FailureReason, ServerSnapshot, ServerState } from '../../../common/streaming.js';
import { Backoff, DEFAULT_BACKOFF } from '../base/backoff.js';
import type { Logger } from '../base/logger.js';
import type { FlvHeader } from '../flv/flv-parser.js';
import { type FlvTag, TAG_SCRIPT } from '../flv/flv-tag.js';
import { DEFAULT_BACKLOG } from '../flv/tag-backlog.js';
import { TimestampRebaser } from '../flv/timestamp-rebaser.js';
import { ACK_WINDOW, type PublishFailure, RtmpPublisher } from '../rtmp/rtmp-publisher.js';
import { RelayFeed } from './relay-feed.js';
import type { Session } from './relay-session.js';
import { AckLag } from './ack-lag.js';
import type { GopDrop, JoinSource, RelayOptions } from './relay-options.js';
import { RelayMeter } from './relay-meter.js';
import { decideRetry } from './retry-policy.js';
import { SendProgress } from './send-progress.js';
import { ServerWatch } from './server-watch.js';
import { tcpPeerState } from './tcp-peer-state.js';

export type { GopDrop, JoinSource, RelayOptions } from './relay-options.js';

/** Bytes in the socket's own buffer before tags wait in our (droppable) backlog instead. */
const SOCKET_HIGH_WATER = 64 * 1024;
/** How long a tag may wait for others to leave with it (well under a frame at 30 fps). */
const SEND_BATCH_MS = 10;
/** Unread bytes allowed at a server that acknowledges: about 3 s of a 2.5 Mb/s stream. */
const DEFAULT_IN_FLIGHT = 1024 * 1024;
/** A live session this long is healthy: the next failure starts the backoff from the beginning. */
const STABLE_MS = 5000;

export class Relay implements IDisposable {
  private readonly now: () => number;
  private readonly backoff: Backoff;
  private readonly rebaser: TimestampRebaser;
  private readonly meter: RelayMeter;
  private readonly log: Logger;
  private url: string;
  private session: Session | null = null;
  private state: ServerState = 'idle';
  private reason: FailureReason | null = null;
  private message = 'Not started';
  private since: number;
  private nextAttemptAt: number | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private watch: ServerWatch | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private stopPromise: Promise<void> | null = null;
  private everLive = false;
  private liveSince: number | null = null;
  private reconnects = 0;
  private droppedGops = 0;
  private refusals = 0;
  /** The retries ended (a refused key): nothing happens until retry(). */
  private waitingForPresenter = false;
  private lastError: string | null = null;

  private readonly _onChange = new Emitter<ServerSnapshot>();
  readonly onChange = this._onChange.event;
  private readonly _onDrop = new Emitter<GopDrop>();
  readonly onDrop = this._onDrop.event;

  constructor(
    private readonly opts: RelayOptions,
    private readonly source: JoinSource,
  ) {
    this.now = opts.now ?? Date.now;
    this.url = opts.url;
    this.since = this.now();
    this.backoff = new Backoff(opts.backoff ?? DEFAULT_BACKOFF);
    this.rebaser = new TimestampRebaser(this.now);
    this.meter = new RelayMeter(this.now);
    this.log = opts.logger.child({ server: opts.id, target: opts.label });
  }

  get id(): string {
    return this.opts.id;
  }

  get currentState(): ServerState {
    return this.state;
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
    this.tickTimer ??= setInterval(() => this.tick(), 250);
    this.tickTimer.unref();
    this.setState('connecting', null, 'Connecting');
    this.startSession();
  }

  /**
   * Tries again now, with the backoff and the refusal count reset: the presenter's answer to a
   * refused key. `url` replaces the publish URL (an edited key). A live session is dropped first.
   */
  retry(url?: string): void {
    if (this.stopping) return;
    if (url !== undefined) {
      parseRtmpTarget(url); // throws in words for a URL no session could use
      this.url = url;
    }
    this.clearRetry();
    this.endSession(false);
    this.backoff.reset();
    this.refusals = 0;
    this.waitingForPresenter = false;
    this.start();
  }

  /**
   * The uplink controller takes this server out for now (the presenter's upload cannot carry every
   * server): unpublished politely, no retries, `message` says why. resume() re-joins it.
   */
  pause(message: string): void {
    if (this.stopping || this.state === 'paused') return;
    this.clearRetry();
    this.endSession(true);
    this.liveSince = null;
    this.nextAttemptAt = null;
    this.setState('paused', null, message);
    this.log.info('paused: the upload cannot carry this server');
  }

  resume(): void {
    if (this.stopping || this.state !== 'paused') return;
    this.setState('connecting', null, 'Connecting');
    this.startSession();
  }

  /** The encoder began a new FLV stream (start, restart or source switch). */
  onNewStream(header: FlvHeader, changed: boolean): void {
    const s = this.session;
    if (!s || !s.pub.isPublishing) return;
    if (changed) {
      // The tracks changed (e.g. audio-only ↔ video): servers and players set up their tracks at
      // publish, so this server gets a new publish at once, without backoff.
      this.log.info({ hasVideo: header.hasVideo, hasAudio: header.hasAudio }, 'source tracks changed, publishing anew');
      this.endSession(true);
      this.startSession();
      return;
    }
    s.feed.discontinuity();
  }

  /** A live tag from the encoder. */
  write(tag: FlvTag): void {
    const s = this.session;
    if (!s || !s.pub.isPublishing) return;
    s.feed.push(tag);
    // Tags leave in batches, one system call per server every few ms instead of one per tag: the
    // kernel's per-write cost, not ours, is most of what an extra server costs.
    if (s.pumpQueued) return;
    s.pumpQueued = true;
    setTimeout(() => {
      s.pumpQueued = false;
      if (s === this.session) this.pump(s);
    }, SEND_BATCH_MS);
  }

  snapshot(): ServerSnapshot {
    const now = this.now();
    const s = this.session;
    const sendBps = this.meter.sendBps(s?.pub.flushedBytes ?? 0);
    return {
      id: this.opts.id,
      label: this.opts.label,
      state: this.state,
      reason: this.reason,
      message: this.message,
      since: this.since,
      nextAttemptAt: this.nextAttemptAt,
      metrics: {
        bytesSent: this.meter.totalFlushed(s?.pub.flushedBytes ?? 0),
        bitrateBps: this.state === 'live' ? sendBps : 0,
        uptimeMs: this.state === 'live' && this.liveSince !== null ? now - this.liveSince : 0,
        reconnects: this.reconnects,
        droppedGops: this.droppedGops,
        lastError: this.lastError,
        ackedBytes: this.meter.totalAcked(s?.pub.ackedBytes ?? 0),
        sendBps,
        queuedBytes: s ? s.feed.queuedBytes + s.pub.bufferedBytes : 0,
        queueAgeMs: s ? s.feed.queuedMs : 0,
        ...(s ? { lagMs: s.lag.lagMs(s.pub.ackedBytes) } : {}),
        rttMs: s?.pub.rttMs ?? null,
        refusals: this.refusals,
        waitingForPresenter: this.waitingForPresenter,
      },
    };
  }

  /** Stops the relay for good (unpublishing politely); safe to call twice. */
  stop(): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    this.stopping = true;
    this.clearRetry();
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    this.endSession(true);
    this.setState('stopped', null, 'Stopped');
    this._onChange.dispose();
    this._onDrop.dispose();
    this.stopPromise = Promise.resolve();
    return this.stopPromise;
  }

  dispose(): void {
    void this.stop();
  }

  // --- sessions -------------------------------------------------------------------------

  private startSession(): void {
    this.clearRetry();
    if (this.stopping) return;
    const pub = new RtmpPublisher({
      url: this.url,
      now: this.now,
      ...(this.opts.confirmMs !== undefined ? { confirmMs: this.opts.confirmMs } : {}),
      ...(this.opts.secureContext ? { secureContext: this.opts.secureContext } : {}),
    });
    const now = this.now();
    const s: Session = {
      pub,
      startedAt: now,
      feed: new RelayFeed(this.rebaser, () => this.source.hasVideo, (gops) => this.handleDrop(gops), this.opts.backlog ?? DEFAULT_BACKLOG),
      confirmed: false,
      progress: new SendProgress(now, this.opts.stallTimeoutMs ?? 4000, 2 * ACK_WINDOW),
      draining: false,
      pumpQueued: false,
      lag: new AckLag(),
    };
    this.session = s;
    pub.onStart(() => this.onPublishStart(s));
    pub.onConfirm(() => this.onConfirmed(s));
    pub.onFail((f) => this.onSessionFailed(s, f));
    pub.onDrain(() => {
      s.draining = false;
      if (s === this.session) this.pump(s);
    });
    pub.start();
  }

  /** Publish.Start: the server decodes from the join cache's keyframe, on a new segment of our timeline. */
  private onPublishStart(s: Session): void {
    if (s !== this.session) return;
    s.feed.discontinuity();
    for (const tag of this.source.joinTags()) s.feed.push(tag);
    this.pump(s);
  }

  private onConfirmed(s: Session): void {
    if (s !== this.session || this.stopping) return;
    s.confirmed = true;
    if (this.everLive) this.reconnects++;
    this.everLive = true;
    // The refusal count is not cleared here: a loaded node may send its BadName after our 200 ms
    // confirmation, and a key refused that way must still end the retries. A stable session clears it.
    this.liveSince = this.now();
    this.setState('live', null, 'Live');
  }

  /** Ends the current session: politely (unpublish) or by dropping the socket. */
  private endSession(polite: boolean): void {
    const s = this.session;
    if (!s) return;
    this.session = null;
    this.meter.sessionEnded(s.pub.flushedBytes, s.pub.ackedBytes);
    if (polite) s.pub.close();
    else s.pub.dispose();
  }

  private onSessionFailed(s: Session, f: PublishFailure): void {
    if (s !== this.session) return; // a session we replaced on purpose
    const wasStable = s.confirmed && this.liveSince !== null && this.now() - this.liveSince >= STABLE_MS;
    this.endSession(false);
    if (this.stopping) return;
    this.scheduleRetry(f, wasStable);
  }

  private scheduleRetry(f: PublishFailure, wasStable: boolean): void {
    if (wasStable) {
      this.backoff.reset();
      this.refusals = 0;
    }
    this.lastError = f.message;
    this.liveSince = null;
    const d = decideRetry(f.reason, this.refusals, this.opts.maxRefusals ?? 3, this.opts.rejectedFloorMs ?? 2000);
    this.refusals = d.refusals;
    if (d.giveUp) {
      this.nextAttemptAt = null;
      this.waitingForPresenter = true;
      this.setState('failed', f.reason, `${f.message}. Refused ${this.refusals} times in a row: not retrying until you retry or change the key`);
      this.log.warn({ reason: f.reason, refusals: this.refusals }, 'publish refused repeatedly, stopped retrying');
      return;
    }
    const delay = this.backoff.next(d.floorMs);
    this.nextAttemptAt = this.now() + delay;
    const secs = (delay / 1000).toFixed(delay < 1000 ? 1 : 0);
    this.setState(d.state, f.reason, `${f.message}. Retrying in ${secs} s`);
    this.log.warn({ reason: f.reason, retryInMs: delay, attempt: this.backoff.attempts }, f.message);
    this.retryTimer = setTimeout(() => this.startSession(), delay);
    this.retryTimer.unref();
    if (d.watch) this.startWatch();
  }

  private startWatch(): void {
    const { host, port } = parseRtmpTarget(this.url);
    this.watch = new ServerWatch(host, port, this.opts.watchIntervalMs ?? 50, () => {
      if (!this.retryTimer || this.stopping) return;
      this.log.info('server accepts connections again, re-joining now');
      this.startSession();
    });
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.watch?.dispose();
    this.retryTimer = null;
    this.watch = null;
    this.nextAttemptAt = null;
  }

  /** Detects unanswered publishes and servers that stopped taking bytes. */
  private tick(): void {
    const s = this.session;
    if (!s || this.stopping) return;
    const now = this.now();
    if (!s.pub.isPublishing) {
      if (now - s.startedAt > (this.opts.publishTimeoutMs ?? 4000)) {
        const secs = ((this.opts.publishTimeoutMs ?? 4000) / 1000).toFixed(1);
        s.pub.fail({ reason: 'timeout', message: `${this.opts.label} did not answer: no ${s.pub.waitingFor.replace(/^the /, '')} within ${secs} s` });
      }
      return;
    }
    this.meter.sample(s.pub.flushedBytes);
    const ports = s.pub.ports;
    const failure = s.progress.check(
      { now, flushed: s.pub.flushedBytes, acked: s.pub.ackedBytes, waiting: s.pub.bufferedBytes > 0 || s.feed.queued > 0 },
      () => (ports ? tcpPeerState(ports.local, ports.remote) : 'unknown'),
    );
    if (failure) s.pub.fail(failure);
  }

  // --- media path -----------------------------------------------------------------------

  private handleDrop(gops: number): void {
    this.droppedGops += gops;
    this.log.warn({ gops, total: this.droppedGops }, 'server is too slow: dropped queued GOPs, resuming at the next keyframe');
    this._onDrop.fire({ id: this.opts.id, gops, total: this.droppedGops });
  }

  private pump(s: Session): void {
    if (s.draining) return;
    const pub = s.pub;
    const inFlightLimit = this.opts.inFlightLimitBytes ?? DEFAULT_IN_FLIGHT;
    // With a server that acknowledges, what it has not read yet is bounded too: past the limit,
    // tags wait here (droppable by GOP) rather than in kernel buffers. The next tag pumps again.
    const inFlight = () => (pub.ackedBytes > 0 ? pub.flushedBytes + pub.bufferedBytes - pub.ackedBytes : 0);
    pub.cork();
    while (s.feed.queued > 0 && pub.bufferedBytes < SOCKET_HIGH_WATER && inFlight() < inFlightLimit) {
      const q = s.feed.shift()!;
      if (q.type === TAG_SCRIPT) pub.sendMetadata(q.buf, q.timestamp);
      else pub.sendMedia(q.type, q.timestamp, q.buf);
      s.lag.sent(pub.flushedBytes + pub.bufferedBytes, q.timestamp);
    }
    pub.uncork();
    // The socket fires 'drain' once its buffer empties; until then tags wait in the feed.
    if (s.feed.queued > 0 && pub.bufferedBytes >= SOCKET_HIGH_WATER) s.draining = true;
  }

  private setState(state: ServerState, reason: FailureReason | null, message: string): void {
    const changed = state !== this.state || reason !== this.reason || message !== this.message;
    this.state = state;
    this.reason = reason;
    this.message = message;
    if (!changed) return;
    this.since = this.now();
    this._onChange.fire(this.snapshot());
  }
}
