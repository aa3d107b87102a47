// The congestion controller for the presenter's one shared upload. Every server gets the same
// encoded stream, so the upload carries N × the video bitrate: when it cannot, the healthy servers
// all fall behind together, and the only cure is a lower bitrate. When one server falls behind
// alone, its own path is slow: the bitrate stays (the others would lose quality for nothing) and
// that server's relay drops GOPs, as it always has.
//
// Pure decision logic, no I/O (like hls.js's abr-controller): the engine feeds it each server's
// queue every tick and applies what it returns. Kept apart from the measurement so it is tested on
// recorded traces (test/unit/uplink-controller.test.ts).
//
// Rules (issue #12): one step down at most every 2 s, one step up at most every 10 s, and a step up
// that fills the queues is undone (and the next probe to that step waits 1.5 × as long). When even the lowest
// step cannot reach every server, the lowest-ranked servers are paused, one at a time, and resumed
// (before any step up) once the queues stay empty.

/** What the controller reads of one server each tick. */
export interface UplinkSample {
  id: string;
  /** 0 is the primary; higher ranks are paused first. */
  rank: number;
  /** Media time the oldest queued tag has waited, ms (0 when nothing waits). */
  queueAgeMs: number;
  /** Bits per second that reached this server lately (what it acknowledged, else what the kernel took). */
  sendBps: number;
}

/** The encoder's full rates: the ladder scales the video, never the audio. */
export interface EncoderRates {
  videoBps: number;
  audioBps: number;
}

export interface UplinkPolicy {
  /** Fractions of the full video bitrate, highest first; audio is never touched. */
  ladder: readonly number[];
  /** A server is behind when its queue is older than this. */
  behindMs: number;
  /** Queues count as empty below this. */
  emptyMs: number;
  /** How long all servers must be behind before the first step down. */
  confirmMs: number;
  stepDownEveryMs: number;
  stepUpAfterMs: number;
  /** A step up followed by congestion within this is undone. */
  probeWindowMs: number;
  /** How long the lowest step must fail before a server is paused. */
  pauseAfterMs: number;
  /** Longest wait between probes after repeated failed step-ups. */
  maxProbeWaitMs: number;
}

export const DEFAULT_UPLINK_POLICY: UplinkPolicy = {
  ladder: [1, 0.6, 0.35, 0.2],
  behindMs: 500,
  emptyMs: 250,
  confirmMs: 500,
  stepDownEveryMs: 2000,
  stepUpAfterMs: 10_000,
  probeWindowMs: 5000,
  pauseAfterMs: 4000,
  maxProbeWaitMs: 80_000,
};

/** How far back the upload's carried rate is remembered while it is full. */
const CAPACITY_WINDOW_MS = 2000;
/** A failed probe multiplies that target's wait by this: long enough not to flap, short enough that a returned upload is found within ~30 s. */
const PROBE_BACKOFF = 1.5;
/** A step fits when it needs at most this share of what the upload carried (room for jitter). */
export const FIT_HEADROOM = 0.95;
/** What goes on the wire per bit the encoder is asked for: x264's overshoot of its target, FLV and RTMP framing (measured: 2.89 Mb/s sent for 2.5 + 0.128). */
export const WIRE_OVERHEAD = 1.12;

export type UplinkVerdict = 'clear' | 'upload-short' | 'path-slow';

export interface UplinkDecision {
  /** Index into the ladder. */
  step: number;
  /** Fraction of the full video bitrate to encode at. */
  fraction: number;
  verdict: UplinkVerdict;
  /** Servers the controller has paused, lowest rank last paused first. */
  paused: string[];
  /** Servers whose own path is slow (they drop GOPs; the bitrate is left alone for them). */
  slow: string[];
  /** Why the last change was made, in words; null at full rate with nothing paused. */
  reason: string | null;
}

export class UplinkController {
  private step = 0;
  private readonly paused: string[] = [];
  private behindSince: number | null = null;
  private emptySince: number | null = null;
  private lastDownAt = -Infinity;
  private lastUpAt = -Infinity;
  /** The last change was a probe up (a step or a resume); undone if congestion follows within the window. */
  private probe: { at: number; target: number | 'resume'; id?: string } | null = null;
  /** Per probe target (a ladder step, or 'resume'): how long the queues must stay empty first; grows by PROBE_BACKOFF on each failure there. */
  private readonly probeWaits = new Map<number | 'resume', number>();
  private pauseReason = '';
  /** What the upload carried at each tick of the last CAPACITY_WINDOW_MS while every server was behind (the link was full). */
  private carried: Array<[number, number]> = [];

  constructor(private readonly policy: UplinkPolicy = DEFAULT_UPLINK_POLICY) {}

  /** One tick: the live servers' samples at `now` (paused ones may be left out). */
  update(now: number, samples: readonly UplinkSample[], rates: EncoderRates): UplinkDecision {
    const p = this.policy;
    const active = samples.filter((s) => !this.paused.includes(s.id));
    const behind = active.filter((s) => s.queueAgeMs > p.behindMs);
    const allBehind = active.length > 0 && behind.length === active.length;
    const verdict: UplinkVerdict = allBehind ? 'upload-short' : behind.length > 0 ? 'path-slow' : 'clear';
    const allEmpty = active.every((s) => s.queueAgeMs < p.emptyMs);

    if (allBehind) {
      this.emptySince = null;
      this.behindSince ??= now;
      this.carried.push([now, active.reduce((n, s) => n + s.sendBps, 0)]);
      while (this.carried.length > 1 && now - this.carried[0]![0] > CAPACITY_WINDOW_MS) this.carried.shift();
      if (this.probe && now - this.probe.at <= p.probeWindowMs) this.undoProbe(now);
      else if (now - this.behindSince >= p.confirmMs && now - this.lastDownAt >= p.stepDownEveryMs && !this.fits(active, rates)) this.relieve(now, samples, active.length);
    } else {
      this.behindSince = null;
      this.carried = [];
      // A probe that survived its window held: that target is fine again.
      if (this.probe && now - this.probe.at > p.probeWindowMs) {
        this.probeWaits.delete(this.probe.target);
        this.probe = null;
      }
      this.emptySince = allEmpty ? (this.emptySince ?? now) : null;
      const quietFor = this.emptySince === null ? 0 : now - this.emptySince;
      const sinceChange = now - Math.max(this.lastDownAt, this.lastUpAt);
      const target = this.nextTarget();
      const wait = target === null ? Infinity : (this.probeWaits.get(target) ?? p.stepUpAfterMs);
      if (quietFor >= wait && sinceChange >= wait) this.probeUp(now, target!);
    }
    return {
      step: this.step,
      fraction: p.ladder[this.step]!,
      verdict,
      paused: [...this.paused],
      slow: verdict === 'path-slow' ? behind.map((s) => s.id) : [],
      reason: this.paused.length > 0 ? this.pauseReason : this.step > 0 ? 'reduced for your connection' : null,
    };
  }

  /** A server left the webcast (removed, or failed): it is no longer the controller's to pause. */
  forget(id: string): void {
    const i = this.paused.indexOf(id);
    if (i >= 0) this.paused.splice(i, 1);
  }

  /** Step down; at the lowest step (for long enough), pause the lowest-ranked active server, never the last one. */
  private relieve(now: number, samples: readonly UplinkSample[], activeCount: number): void {
    const p = this.policy;
    if (this.step < p.ladder.length - 1) {
      this.step += 1;
    } else {
      if (activeCount <= 1 || now - this.lastDownAt < p.pauseAfterMs) return;
      const victim = samples.filter((s) => !this.paused.includes(s.id)).sort((a, b) => b.rank - a.rank)[0]!;
      this.paused.push(victim.id);
      this.pauseReason = `paused: your upload cannot carry ${activeCount} servers`;
    }
    this.lastDownAt = now;
    this.behindSince = now;
  }

  /**
   * Whether the current step fits the upload: while every server is behind, the link is full, so
   * what the kernel takes for all of them is what the upload carries. A step that fits is left to
   * drain the backlog (stepping further would only cost quality: 3 Mb/s for 2 servers settles at
   * 35 %, not 20 %).
   */
  private fits(active: readonly UplinkSample[], rates: EncoderRates): boolean {
    // The best of the last ticks: a delivered rate is counted in acknowledgement windows (64 KiB),
    // so one tick's reading swings by a window either way; the link carried at least the best one.
    const carried = Math.max(0, ...this.carried.map(([, bps]) => bps));
    const needed = active.length * (rates.videoBps * this.policy.ladder[this.step]! + rates.audioBps) * WIRE_OVERHEAD;
    return carried > 0 && needed <= carried * FIT_HEADROOM;
  }

  /** What a probe would try next: resume a paused server first, then a step up. */
  private nextTarget(): number | 'resume' | null {
    if (this.paused.length > 0) return 'resume';
    return this.step > 0 ? this.step - 1 : null;
  }

  private probeUp(now: number, target: number | 'resume'): void {
    this.lastUpAt = now;
    this.emptySince = now;
    if (target === 'resume') this.probe = { at: now, target, id: this.paused.pop()! };
    else {
      this.step = target;
      this.probe = { at: now, target };
    }
  }

  /** The probe filled the queues: take it back, and wait longer (PROBE_BACKOFF) before trying that target again. */
  private undoProbe(now: number): void {
    const probe = this.probe!;
    this.probe = null;
    if (probe.target === 'resume') this.paused.push(probe.id!);
    else this.step = probe.target + 1;
    this.lastDownAt = now;
    this.behindSince = now;
    const wait = this.probeWaits.get(probe.target) ?? this.policy.stepUpAfterMs;
    this.probeWaits.set(probe.target, Math.min(wait * PROBE_BACKOFF, this.policy.maxProbeWaitMs));
  }
}
