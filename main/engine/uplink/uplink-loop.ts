// Runs the uplink controller against the live engine: every tick it reads each live server's
// queue and send rate, asks the controller, and applies what changed — a new video bitrate for
// the encoder, a server paused or resumed. Apart from the engine by an interface, so the engine
// (MultiConnection) stays the one owner of encoders and relays, and this is tested with a fake.
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import type { ServerSnapshot } from '../../../common/streaming.js';
import { DEFAULT_UPLINK_POLICY, type EncoderRates, UplinkController, type UplinkDecision, type UplinkPolicy, type UplinkSample, WIRE_OVERHEAD } from './uplink-controller.js';

/** What the loop needs of the engine. */
export interface UplinkTarget {
  snapshots(): readonly ServerSnapshot[];
  /** The encoder's full rates; null while nothing adaptable runs (audio only, or no encoder). */
  encoderRates(): EncoderRates | null;
  /** Encode the video at this fraction of its full rate from now on. */
  setVideoFraction(fraction: number): void;
  pauseServer(id: string, reason: string): void;
  resumeServer(id: string): void;
}

/** What the presenter's network strip shows. */
export interface UplinkState extends UplinkDecision {
  /** What the upload carried over the last second, all servers together (bits/s). */
  sentBps: number;
  /** What the current step needs for every active server (bits/s); 0 when nothing adapts. */
  neededBps: number;
}

/** The window the delivered rate is measured over. */
const ACK_WINDOW_MS = 2000;
/** Acknowledgement steps remembered per server; the smallest is its window (several acks in one tick add up). */
const ACK_STEPS_KEPT = 16;

/** One tick's inputs to the controller and what it decided: what a recorded trace holds. */
export interface UplinkTick {
  now: number;
  samples: readonly UplinkSample[];
  rates: EncoderRates;
  decision: UplinkDecision;
}

export interface UplinkLoopOptions {
  tickMs?: number;
  policy?: UplinkPolicy;
  now?: () => number;
  /** Called every tick the controller ran (bench:uplink records traces with it: BENCH_UPLINK_TRACE, bench/uplink.ts). */
  onTick?: (tick: UplinkTick) => void;
}

export class UplinkLoop implements IDisposable {
  private readonly controller: UplinkController;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private applied: { fraction: number; paused: string[] } = { fraction: 1, paused: [] };
  private last: UplinkState | null = null;
  /** Per server, recent [time, bytes acknowledged] samples: what actually reached it. */
  private readonly acked = new Map<string, Array<[number, number]>>();
  /** Per server, the acknowledged count at the last tick and its recent steps (the server's acknowledgement window). */
  private readonly ackSteps = new Map<string, { last: number; steps: number[] }>();

  private readonly _onChange = new Emitter<UplinkState>();
  /** The step, verdict, reason or the paused servers changed. */
  readonly onChange = this._onChange.event;

  constructor(
    private readonly target: UplinkTarget,
    private readonly o: UplinkLoopOptions = {},
  ) {
    this.controller = new UplinkController(o.policy ?? DEFAULT_UPLINK_POLICY);
    this.now = o.now ?? (() => performance.now());
    this.timer = setInterval(() => this.tick(), o.tickMs ?? 250);
    this.timer.unref();
  }

  get state(): UplinkState | null {
    return this.last;
  }

  /** One step of the loop (the timer calls it; tests may too). */
  tick(): void {
    const rates = this.target.encoderRates();
    const snaps = this.target.snapshots();
    // The controller judges servers that are publishing now, and remembers the ones it paused.
    const live = snaps.filter((s) => s.state === 'live');
    // Rank is the configured order: the primary (first) is paused last.
    // A server's backlog is what waits here plus what it has not acknowledged reading (in the kernel,
    // in flight): on a weak upload the second holds seconds before anything queues here.
    const now = this.now();
    const wireBps = rates ? (rates.videoBps * this.applied.fraction + rates.audioBps) * WIRE_OVERHEAD : 0;
    const samples = live.map((s) => ({ id: s.id, rank: snaps.indexOf(s), queueAgeMs: (s.metrics.queueAgeMs ?? 0) + this.lagBeyondAck(s, wireBps), sendBps: this.delivered(s, now) }));
    for (const id of this.acked.keys()) if (!live.some((s) => s.id === id)) this.acked.delete(id);
    for (const id of this.ackSteps.keys()) if (!live.some((s) => s.id === id)) this.ackSteps.delete(id);
    for (const id of this.applied.paused) if (!snaps.some((s) => s.id === id)) this.controller.forget(id);
    if (!rates) return;
    const d = this.controller.update(now, samples, rates);
    this.o.onTick?.({ now, samples, rates, decision: d });
    this.apply(d);
    const active = samples.filter((s) => !d.paused.includes(s.id));
    const state: UplinkState = {
      ...d,
      sentBps: samples.reduce((n, s) => n + s.sendBps, 0),
      neededBps: Math.round(active.length * (rates.videoBps * d.fraction + rates.audioBps)),
    };
    const prev = this.last;
    this.last = state;
    if (!prev || prev.step !== state.step || prev.verdict !== state.verdict || prev.reason !== state.reason || prev.paused.join() !== state.paused.join() || prev.slow.join() !== state.slow.join()) {
      this._onChange.fire(state);
    }
  }

  /**
   * The server's lag beyond what its acknowledgement window explains. A server acknowledges once per
   * window (64 KiB from a Tandem node, more from others), so up to one window of media is always
   * unacknowledged: at 20 % of 2.5 Mb/s that is 0.8 s, which alone would read as "behind" and keep
   * the queues from ever looking empty (no probe up). The window is learnt from the smallest step the
   * acknowledged count has made lately.
   */
  private lagBeyondAck(s: ServerSnapshot, wireBps: number): number {
    const lag = s.metrics.lagMs ?? 0;
    const acked = s.metrics.ackedBytes ?? 0;
    const track = this.ackSteps.get(s.id) ?? { last: acked, steps: [] };
    if (acked > track.last) {
      track.steps.push(acked - track.last);
      if (track.steps.length > ACK_STEPS_KEPT) track.steps.shift();
    }
    track.last = acked;
    this.ackSteps.set(s.id, track);
    if (track.steps.length === 0 || wireBps <= 0) return lag;
    const windowMs = (Math.min(...track.steps) * 8 * 1000) / wireBps;
    return Math.max(0, Math.round(lag - windowMs));
  }

  /**
   * Bits per second that reached a server over about the last two seconds, from its acknowledgements
   * (the kernel takes bursts into its buffer faster than the link carries them); the kernel's rate
   * for servers that never acknowledge.
   */
  private delivered(s: ServerSnapshot, now: number): number {
    const acked = s.metrics.ackedBytes ?? 0;
    if (acked <= 0) return s.metrics.sendBps ?? 0;
    const hist = this.acked.get(s.id) ?? [];
    hist.push([now, acked]);
    while (hist.length > 2 && now - hist[0]![0] > ACK_WINDOW_MS) hist.shift();
    this.acked.set(s.id, hist);
    const [t0, b0] = hist[0]!;
    return now - t0 >= 500 ? Math.round(((acked - b0) * 8 * 1000) / (now - t0)) : (s.metrics.sendBps ?? 0);
  }

  dispose(): void {
    clearInterval(this.timer);
    this._onChange.dispose();
  }

  private apply(d: UplinkDecision): void {
    if (d.fraction !== this.applied.fraction) this.target.setVideoFraction(d.fraction);
    for (const id of d.paused) if (!this.applied.paused.includes(id)) this.target.pauseServer(id, d.reason ?? 'paused: your upload cannot carry every server');
    for (const id of this.applied.paused) if (!d.paused.includes(id)) this.target.resumeServer(id);
    this.applied = { fraction: d.fraction, paused: [...d.paused] };
  }
}
