// A fluid model of N relays sharing one upload, to drive the uplink controller through the
// scenarios of issue #12 without a network: each tick every active server is offered the encoder's
// bytes; the upload (and, per server, its own path) carries what it can, fairly shared; the rest
// queues, and a queue's age is its size over the rate it was produced at.
import { UplinkController, type UplinkDecision, WIRE_OVERHEAD } from '../../main/engine/uplink/uplink-controller.js';

export interface SimServer {
  id: string;
  rank: number;
  /** This server's own path limit at time t (bits/s); Infinity when only the upload limits it. */
  pathBps?: (tMs: number) => number;
}

export interface SimTrace {
  t: number;
  decision: UplinkDecision;
  /** Each active server's queue age at this tick. */
  ages: Record<string, number>;
}

export function simulate(o: {
  servers: SimServer[];
  videoBps: number;
  audioBps: number;
  uploadBps: (tMs: number) => number;
  durationMs: number;
  tickMs?: number;
  controller?: UplinkController;
}): SimTrace[] {
  const tick = o.tickMs ?? 250;
  const ctl = o.controller ?? new UplinkController();
  // Each server's backlog: chunks of [bits, produced at], oldest first; its age is the oldest's wait.
  const fifo = new Map<string, Array<[number, number]>>(o.servers.map((s) => [s.id, []]));
  const size = (id: string): number => fifo.get(id)!.reduce((n, [b]) => n + b, 0);
  const drain = (id: string, bits: number): number => {
    const q = fifo.get(id)!;
    let left = bits;
    while (q.length > 0 && left > 1e-9) {
      const take = Math.min(q[0]![0], left);
      q[0]![0] -= take;
      left -= take;
      if (q[0]![0] <= 1e-9) q.shift();
    }
    return bits - left;
  };
  let fraction = 1;
  let paused: string[] = [];
  const trace: SimTrace[] = [];
  for (let t = 0; t <= o.durationMs; t += tick) {
    // What goes on the wire: the encoder's rates plus its overshoot and the framing.
    const rate = (o.videoBps * fraction + o.audioBps) * WIRE_OVERHEAD;
    const active = o.servers.filter((s) => !paused.includes(s.id));
    for (const s of o.servers) if (paused.includes(s.id)) fifo.set(s.id, []);
    // Offer this tick's bytes, then share the upload: each takes up to its path and backlog.
    for (const s of active) fifo.get(s.id)!.push([(rate * tick) / 1000, t]);
    let budget = (o.uploadBps(t) * tick) / 1000;
    const sent = new Map<string, number>();
    let open = active.slice();
    for (let round = 0; round < 8 && open.length > 0 && budget > 1e-6; round++) {
      const share = budget / open.length;
      const next: SimServer[] = [];
      for (const s of open) {
        const cap = ((s.pathBps?.(t) ?? Infinity) * tick) / 1000;
        const take = drain(s.id, Math.min(share, cap));
        budget -= take;
        sent.set(s.id, (sent.get(s.id) ?? 0) + take);
        if (size(s.id) > 1e-6 && take >= share - 1e-6 && take < cap) next.push(s);
      }
      open = next;
    }
    const ages = Object.fromEntries(active.map((s) => [s.id, fifo.get(s.id)!.length > 0 ? t + tick - fifo.get(s.id)![0]![1] : 0]));
    const samples = active.map((s) => ({ id: s.id, rank: s.rank, queueAgeMs: ages[s.id]!, sendBps: ((sent.get(s.id) ?? 0) * 1000) / tick }));
    const decision = ctl.update(t, samples, { videoBps: o.videoBps, audioBps: o.audioBps });
    // Path-slow: the relay drops its backlog (a GOP at a time); model it as clearing past 3 s.
    for (const s of active) if (ages[s.id]! > 3000) fifo.set(s.id, []);
    fraction = decision.fraction;
    paused = decision.paused;
    trace.push({ t, decision, ages });
  }
  return trace;
}

/** The first tick at or after `fromMs` where `pred` holds, or null. */
export function firstTick(trace: SimTrace[], fromMs: number, pred: (s: SimTrace) => boolean): SimTrace | null {
  return trace.find((s) => s.t >= fromMs && pred(s)) ?? null;
}
