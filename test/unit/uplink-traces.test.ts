// The uplink controller's decision logic on recorded traces: what it read each tick of real runs on
// the shaped rig (two Tandem nodes, 2.5 Mb/s, bench:uplink at 0.6 × the phases), replayed
// through a fresh controller. Re-record after changing the controller or the relay's measurements:
//   BENCH_UPLINK_TRACE=test/fixtures/uplink-traces BENCH_UPLINK_SCALE=0.6 \
//     BENCH_UPLINK_ONLY=squeeze:on,slow-path:on,short:on,healthy:on npm run bench:uplink
// (a replay is open-loop: past the first tick where the controller decides otherwise than the
// recorded run, the queues it reads are the recorded run's, so re-record rather than stretch them).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UPLINK_POLICY, type UplinkDecision } from '../../main/engine/uplink/uplink-controller.js';
import { readTrace, replay, type UplinkTrace } from '../support/uplink-trace.js';

const DIR = path.resolve('test/fixtures/uplink-traces');
const load = (name: string): UplinkTrace => readTrace(path.join(DIR, `${name}.json`));

type Replayed = Array<{ t: number; decision: UplinkDecision }>;

/** Ticks where the step changed: [t, from, to]. */
function stepChanges(r: Replayed): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let i = 1; i < r.length; i++) if (r[i]!.decision.step !== r[i - 1]!.decision.step) out.push([r[i]!.t, r[i - 1]!.decision.step, r[i]!.decision.step]);
  return out;
}

/** The no-oscillation rules: ≤ 1 step down per 2 s, ≤ 1 step up per 10 s. */
function expectNoOscillation(r: Replayed): void {
  const changes = stepChanges(r);
  const downs = changes.filter(([, from, to]) => to > from).map(([t]) => t);
  const ups = changes.filter(([, from, to]) => to < from).map(([t]) => t);
  for (let i = 1; i < downs.length; i++) expect(downs[i]! - downs[i - 1]!).toBeGreaterThanOrEqual(2000);
  for (let i = 1; i < ups.length; i++) expect(ups[i]! - ups[i - 1]!).toBeGreaterThanOrEqual(10_000);
  for (const [, from, to] of changes) expect(Math.abs(to - from)).toBe(1);
}

describe('the uplink controller on recorded traces', () => {
  it('squeeze (20 → 3 → 20 Mb/s): steps down within 3 s of the cut, not before, stops at 35 %, and probes back to full rate', () => {
    const trace = load('squeeze');
    const r = replay(trace);
    const cut = trace.cutAt!;
    const restored = trace.restoredAt!;
    expect(r.filter((x) => x.t < cut).every((x) => x.decision.step === 0)).toBe(true);
    const firstDown = r.find((x) => x.decision.step > 0)!;
    expect(firstDown.t - cut).toBeGreaterThan(0);
    expect(firstDown.t - cut).toBeLessThanOrEqual(3000);
    expect(firstDown.decision).toMatchObject({ verdict: 'upload-short', reason: 'reduced for your connection' });
    // 3 Mb/s carries two servers at 35 % (2.25 Mb/s on the wire), not at 60 % (3.65 Mb/s): no further.
    expect(Math.max(...r.map((x) => x.decision.step))).toBe(2);
    expect(r.every((x) => x.decision.paused.length === 0)).toBe(true);
    const ups = stepChanges(r).filter(([t, from, to]) => t > restored && to < from);
    expect(ups.length).toBeGreaterThanOrEqual(1);
    const full = r.find((x) => x.t > restored && x.decision.step === 0);
    if (full) expect(full.t - restored).toBeLessThanOrEqual(30_000);
    expectNoOscillation(r);
  });

  it('slow path (one server cut to 0.5 Mb/s): the bitrate never steps and only that server is named slow', () => {
    const trace = load('slow-path');
    const r = replay(trace);
    expect(r.every((x) => x.decision.step === 0 && x.decision.paused.length === 0)).toBe(true);
    const slow = r.filter((x) => x.decision.verdict === 'path-slow');
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.every((x) => x.decision.slow.join() === 'node-2')).toBe(true);
    expect(r.some((x) => x.decision.verdict === 'upload-short' && x.t >= trace.cutAt! && x.t <= trace.restoredAt!)).toBe(false);
  });

  it('healthy (20 Mb/s throughout): full rate throughout', () => {
    const r = replay(load('healthy'));
    expect(r.length).toBeGreaterThan(100);
    expect(r.every((x) => x.decision.step === 0 && x.decision.paused.length === 0 && x.decision.reason === null)).toBe(true);
  });

  it('short (20 → 4 Mb/s for good): settles at 60 %, and a probe to full rate that fills the queues is undone', () => {
    const trace = load('short');
    const r = replay(trace);
    const changes = stepChanges(r);
    const ups = changes.filter(([, from, to]) => to < from);
    expect(ups.length).toBeGreaterThanOrEqual(1);
    for (const [t] of ups) {
      // Undone within the probe window (and the recorded queues did fill: all behind at the undo).
      const undo = changes.find(([u, from, to]) => u > t && to > from);
      expect(undo).toBeDefined();
      expect(undo![0] - t).toBeLessThanOrEqual(DEFAULT_UPLINK_POLICY.probeWindowMs + 250);
      expect(r.find((x) => x.t === undo![0])!.decision.verdict).toBe('upload-short');
    }
    expect(r.at(-1)!.decision.step).toBe(1);
    expect(Math.max(...r.filter((x) => x.t > trace.cutAt! + 5000).map((x) => x.decision.step))).toBe(1);
    expectNoOscillation(r);
  });
});
