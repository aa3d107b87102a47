// The player: plays the stream with mpegts.js over WebSocket-FLV (no 6-connections-per-host limit),
// shows live / reconnecting / offline, and fails over along the cluster's node list when the
// stream errors, ends or stalls, resuming at the live edge. The webcast's phase (webcast.ts) can
// end it (no more connections until a webcast begins) or hold it in a countdown.
import { STATUS_ENDED, STATUS_STARTING } from '../../../common/webcast.js';
import type Mpegts from 'mpegts.js';
import type { PlayClock } from './cues.js';
import { FailoverChoice, OFFLINE_RETRY_MS } from './failover.js';
import type { CandidateNode } from './nodes.js';
import { PlaybackWatch, TICK_MS, liveEdgeTarget } from './playback-watch.js';
import { setStatus, type PlaybackState } from './status.js';
import { timedWebSocketLoader } from './timed-loader.js';

/** The node being played and the FLV timestamp its player maps to time 0, once known. */
interface Timeline {
  base: string;
  tsBase: number | null;
}

function playQuietly(video: HTMLVideoElement): void {
  // Autoplay may be refused (sound on, no gesture yet): the page keeps trying on every tick.
  video.play().catch(() => undefined);
}

export class Player {
  private readonly choice: FailoverChoice;
  private readonly watch: PlaybackWatch;
  private player: Mpegts.Player | null = null;
  /** Whether the current player has played at all. */
  private played = false;
  private timeline: Timeline | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private switches = 0;
  /** `ended`: nothing is played or retried; `countdown`: retried quietly, "Starting soon" until it plays. */
  private mode: 'normal' | 'countdown' | 'ended' = 'normal';
  /** Offline was said: it stays said until playback moves (no Offline ↔ Reconnecting flip-flop). */
  private offlineSaid = false;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly mpegts: typeof Mpegts,
    private readonly video: HTMLVideoElement,
    private readonly nodes: readonly CandidateNode[],
    stallMs: number,
  ) {
    this.choice = new FailoverChoice(nodes.length);
    this.watch = new PlaybackWatch(stallMs, Date.now());
  }

  start(): void {
    this.say('reconnecting', 'Connecting…');
    this.connect();
    this.ticker ??= setInterval(() => this.tick(), TICK_MS);
  }

  /** The webcast ended: stop playing and stop reconnecting until one begins (live()). */
  end(): void {
    this.mode = 'ended';
    this.teardown();
    clearTimeout(this.retryTimer);
    setStatus('ended', STATUS_ENDED);
  }

  /** A countdown: the stream starts at its end, so keep trying, and say so rather than Offline. */
  countdown(): void {
    const wasEnded = this.mode === 'ended';
    this.mode = 'countdown';
    if (document.documentElement.dataset.state !== 'live') setStatus('countdown', STATUS_STARTING);
    if (wasEnded) this.connect();
  }

  /** A webcast is live: play (again, after an end) from the first node. */
  live(): void {
    const wasEnded = this.mode === 'ended';
    const wasCountdown = this.mode === 'countdown';
    this.mode = 'normal';
    if (wasEnded) {
      this.offlineSaid = false;
      setStatus('reconnecting', 'Connecting…');
      this.connect();
    } else if (wasCountdown && document.documentElement.dataset.state === 'countdown') {
      setStatus('reconnecting', 'Connecting…');
    }
  }

  /** The status pill, unless the webcast's phase speaks instead. */
  private say(state: PlaybackState, text: string): void {
    if (this.mode === 'ended') return;
    if (this.mode === 'countdown' && state !== 'live') return setStatus('countdown', STATUS_STARTING);
    setStatus(state, text);
  }

  clock(): PlayClock | null {
    const t = this.timeline;
    if (!t || t.tsBase === null || this.video.readyState < 2) return null;
    return { base: t.base, ms: t.tsBase + this.video.currentTime * 1000, playing: !this.video.paused };
  }

  private teardown(): void {
    this.timeline = null;
    const p = this.player;
    if (!p) return;
    this.player = null;
    for (const step of [() => p.pause(), () => p.unload(), () => p.detachMediaElement(), () => p.destroy()]) {
      try {
        step();
      } catch {
        // already stopped, unloaded, detached or destroyed
      }
    }
  }

  private connect(): void {
    this.teardown();
    clearTimeout(this.retryTimer);
    if (this.mode === 'ended') return;
    const node = this.nodes[this.choice.index]!;
    document.documentElement.dataset.node = node.base;
    this.played = false;
    this.watch.restart(Date.now());
    const timeline: Timeline = { base: node.base, tsBase: null };
    const { mpegts } = this;
    const p = mpegts.createPlayer(
      // No hasAudio/hasVideo here: mpegts.js then takes them from the (corrected) FLV header.
      { type: 'flv', isLive: true, url: node.url },
      {
        enableWorker: false,
        enableStashBuffer: false,
        lazyLoad: false,
        autoCleanupSourceBuffer: true,
        liveBufferLatencyChasing: true,
        liveBufferLatencyMaxLatency: 1.5,
        liveBufferLatencyMinRemain: 0.3,
        customLoader: timedWebSocketLoader(mpegts, (ts) => {
          timeline.tsBase = ts;
        }),
      },
    );
    this.player = p;
    this.timeline = timeline;
    p.on(mpegts.Events.ERROR, () => p === this.player && this.failover());
    // A live FLV stream that "completes" means the node closed it (grace expired, node stopping).
    p.on(mpegts.Events.LOADING_COMPLETE, () => p === this.player && this.failover());
    p.attachMediaElement(this.video);
    p.load();
    playQuietly(this.video);
  }

  private failover(): void {
    this.teardown();
    this.switches += 1;
    document.documentElement.dataset.switches = String(this.switches);
    const step = this.choice.next(this.played);
    if (step.offline) {
      // Every node failed once in a row: say so, and keep trying at a calm pace.
      this.offlineSaid = true;
      this.say('offline', 'Offline');
      this.retryTimer = setTimeout(() => this.connect(), OFFLINE_RETRY_MS);
      return;
    }
    // Once Offline was said, quiet retries do not turn it into Reconnecting and back every round.
    if (!this.offlineSaid) this.say('reconnecting', 'Reconnecting…');
    this.connect();
  }

  private tick(): void {
    if (!this.player) return;
    const { video } = this;
    const sample = this.watch.sample(video.currentTime, Date.now());
    if (sample === 'progress') {
      this.choice.progressed();
      this.played = true;
      this.offlineSaid = false;
      this.say('live', 'Live');
    }
    const b = video.buffered;
    const target = liveEdgeTarget(video.currentTime, b.length ? b.end(b.length - 1) : null);
    if (target !== null) video.currentTime = target;
    if (video.paused && b.length) playQuietly(video);
    if (sample === 'stalled') this.failover();
  }
}
