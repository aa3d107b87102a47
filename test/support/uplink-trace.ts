// Recorded traces of the uplink controller: what it read each tick of a real run on the shaped rig
// (test/support/uplink-scenario.ts, bench:uplink with BENCH_UPLINK_TRACE) and what it decided,
// small enough to keep as fixtures (test/fixtures/uplink-traces/*.json) and replayed through the
// controller's decision logic by test/unit/uplink-traces.test.ts.
// Kept small by rounding, not by dropping ticks: the controller's rules are timed (2 s, 10 s), so a
// replay needs every tick. Queue ages go to 10 ms, rates to kb/s.
import fs from 'node:fs';
import path from 'node:path';
import { UplinkController, type UplinkDecision, type UplinkSample } from '../../main/engine/uplink/uplink-controller.js';
import type { UplinkTick } from '../../main/engine/uplink/uplink-loop.js';

export interface UplinkTrace {
  scenario: string;
  /** The encoder's full rates (the ladder scales the video). */
  rates: { videoBps: number; audioBps: number };
  servers: Array<{ id: string; rank: number }>;
  /** When the scenario cut the upload (or one path) and when it gave it back, ms on the ticks' clock; null when it did not. */
  cutAt: number | null;
  restoredAt: number | null;
  /** [ms since the first tick, then per server [queue age ms, delivered kb/s] or null when not live]. */
  ticks: Array<[number, ...Array<[number, number] | null>]>;
  /** The recorded run's decisions where they changed: [ms, step, paused ids joined by ","]. */
  decisions: Array<[number, number, string]>;
}

/** Turns a run's ticks into a trace. */
export function toTrace(scenario: string, ticks: readonly UplinkTick[], marks: { cutAt: number | null; restoredAt: number | null }): UplinkTrace {
  const first = ticks[0];
  if (!first) throw new Error(`no controller ticks were recorded for ${scenario}: was the controller on?`);
  const servers = [...new Map(ticks.flatMap((t) => t.samples.map((s) => [s.id, { id: s.id, rank: s.rank }] as const))).values()].sort((a, b) => a.rank - b.rank);
  const decisions: UplinkTrace['decisions'] = [];
  let last = '';
  for (const t of ticks) {
    const key = `${t.decision.step}|${t.decision.paused.join(',')}`;
    if (key !== last) decisions.push([Math.round(t.now - first.now), t.decision.step, t.decision.paused.join(',')]);
    last = key;
  }
  return {
    scenario,
    rates: first.rates,
    servers,
    cutAt: marks.cutAt === null ? null : Math.round(marks.cutAt - first.now),
    restoredAt: marks.restoredAt === null ? null : Math.round(marks.restoredAt - first.now),
    ticks: ticks.map((t) => {
      const row: [number, ...Array<[number, number] | null>] = [Math.round(t.now - first.now)];
      for (const s of servers) {
        const x = t.samples.find((y) => y.id === s.id);
        row.push(x ? [Math.round(x.queueAgeMs / 10) * 10, Math.round(x.sendBps / 1000)] : null);
      }
      return row;
    }),
    decisions,
  };
}

export function writeTrace(dir: string, name: string, trace: UplinkTrace): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  // One tick a line: small, and a diff of a re-recorded trace stays readable.
  const ticks = trace.ticks.map((t) => JSON.stringify(t)).join(',\n    ');
  const { ticks: _ticks, ...head } = trace;
  fs.writeFileSync(file, `${JSON.stringify(head, null, 2).replace(/\n}$/, '')},\n  "ticks": [\n    ${ticks}\n  ]\n}\n`);
  return file;
}

export function readTrace(file: string): UplinkTrace {
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as UplinkTrace;
  if (!Array.isArray(t.ticks) || !Array.isArray(t.servers) || !t.rates) throw new Error(`${file} is not an uplink trace (ticks, servers, rates)`);
  return t;
}

/** The samples of one recorded tick, as the controller read them. */
export function samplesAt(trace: UplinkTrace, row: UplinkTrace['ticks'][number]): UplinkSample[] {
  const out: UplinkSample[] = [];
  trace.servers.forEach((s, i) => {
    const x = row[i + 1] as [number, number] | null;
    if (x) out.push({ id: s.id, rank: s.rank, queueAgeMs: x[0], sendBps: x[1] * 1000 });
  });
  return out;
}

/** Feeds every recorded tick to a fresh controller; its decision at each tick. */
export function replay(trace: UplinkTrace, controller = new UplinkController()): Array<{ t: number; decision: UplinkDecision }> {
  return trace.ticks.map((row) => ({ t: row[0], decision: controller.update(row[0], samplesAt(trace, row), trace.rates) }));
}
