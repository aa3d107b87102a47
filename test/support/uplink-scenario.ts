// One run of bench:uplink and of the shaped-uplink integration tests (test/integration/uplink-*),
// inside a network namespace of its own (the caller is under runInOwnNetns): two Tandem nodes, the engine (MultiConnection, the local recording on) publishing the
// test pattern at 2.5 Mb/s to both through a shaped upload, and a real player (ffprobe pulling
// HTTP-FLV) on each node. Returns the figures of issue #12:
//   step_down_ms          the squeeze's start → the controller's first step down
//   recover_ms            the upload's return → full rate again
//   viewer_stall_ms       the longest freeze a player saw while the squeeze lasted, by a playout clock
//                         (0.5 s of buffer) that waits whenever media arrives late: the time between
//                         two frames shown, beyond one frame (so dropped GOPs count, not only late ones)
//   gops_dropped_healthy  GOPs the engine dropped for servers whose own path was not cut
//   recording_gap_ms      the longest gap between video frames in the recording
//   recording_duration_s  the recording's length, beside webcast_s (how long the webcast ran)
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import type { UplinkState, UplinkTick } from '../../main/engine/uplink/uplink-loop.js';
import { startNode, type NodeProcess } from './node-process.js';
import { type PullHandle, type PulledPacket, pullRtmp } from './rtmp-pull.js';
import { ShapedUplink, upLoopback } from './shaped-uplink.js';
import { type UplinkTrace, toTrace } from './uplink-trace.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);
const MBIT = 1_000_000;
/** What a player holds before it starts, ms: a live player's small buffer. */
const PLAYER_BUFFER_MS = 500;

/**
 * squeeze: the upload 20 → 3 → 20 Mb/s; slow-path: the second server's own path alone cut to
 * 0.5 Mb/s, then restored; short: the upload 20 → 4 Mb/s for good (60 % fits, full rate does not:
 * probes up fail); healthy: 20 Mb/s throughout.
 */
export type UplinkScenarioKind = 'squeeze' | 'slow-path' | 'short' | 'healthy';

export interface UplinkScenario {
  scenario: UplinkScenarioKind;
  controller: boolean;
  /** 1 = the issue's phases (20 s / 40 s / 30 s); 0.5 halves them. */
  scale?: number;
  /** Phases in ms (before the cut, the cut, after it); overrides scale. */
  phases?: { before: number; squeeze: number; after: number };
  /** Every controller tick is kept and returned as `trace` (the controller on). */
  trace?: boolean;
}

export interface UplinkFigures {
  scenario: UplinkScenarioKind;
  controller: 'on' | 'off';
  scale: number;
  sent_kbps_per_server: number;
  step_down_ms: number | null;
  lowest_step: number;
  recover_ms: number | null;
  viewer_stall_ms: number[];
  gops_dropped: number[];
  gops_dropped_healthy: number | null;
  /** The second server's state and sentence at the end of the cut (slow-path): what its tile says. */
  slow_server: { state: string; message: string; slow_verdicts: number } | null;
  recording_gap_ms: number;
  recording_duration_s: number;
  webcast_s: number;
  /** The controller's inputs and decisions, tick by tick (with `trace`). */
  trace?: UplinkTrace;
}

/** The longest single stall of a player in [fromMs, toMs) of its wall clock (ms since the pull began). */
export function longestStallMs(packets: readonly PulledPacket[], fromMs: number, toMs: number): number {
  const video = packets.filter((p) => p.codecType === 'video' && p.dtsMs !== null);
  const deltas = video.slice(1).map((p, i) => p.dtsMs! - video[i]!.dtsMs!).filter((d) => d > 0).sort((a, b) => a - b);
  const frameMs = deltas[Math.floor(deltas.length / 2)] ?? 0;
  let offset: number | null = null;
  let stalled = 0;
  let shownAt: number | null = null;
  let longest = 0;
  for (const p of video) {
    offset ??= p.arrivalMs - p.dtsMs! + PLAYER_BUFFER_MS;
    const due = p.dtsMs! + offset + stalled;
    // Late media stops the clock until it arrives; either way the frame shows at `show`.
    if (p.arrivalMs > due) stalled += p.arrivalMs - due;
    const show = Math.max(due, p.arrivalMs);
    if (shownAt !== null && show >= fromMs && shownAt < toMs) longest = Math.max(longest, show - shownAt - frameMs);
    shownAt = show;
  }
  return Math.round(Math.max(0, longest));
}

async function recordingFigures(file: string): Promise<{ gapMs: number; durationS: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  const pts = stdout.trim().split('\n').map(Number).filter(Number.isFinite).sort((a, b) => a - b);
  const gaps = pts.slice(1).map((t, i) => t - pts[i]!);
  return { gapMs: Math.round(Math.max(0, ...gaps) * 1000), durationS: Number((pts.at(-1)! - pts[0]!).toFixed(2)) };
}

const CHILD = path.join(path.dirname(new URL(import.meta.url).pathname), 'uplink-scenario-child.ts');

/**
 * Runs a scenario in a child process inside a network namespace of its own (`unshare -n`, root), so
 * its shaping of `lo` touches nothing else; resolves with the figures it printed. The child is
 * killed past `timeoutMs`, and its stderr kept for the error.
 */
export function runUplinkScenarioIsolated(o: UplinkScenario, timeoutMs: number): Promise<UplinkFigures> {
  const child = spawn('unshare', ['-n', process.execPath, '--import', 'tsx', CHILD, JSON.stringify(o)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TANDEM_OWN_NETNS: '1' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').findLast((l) => l.startsWith('{"scenario"'));
      if (code === 0 && line) resolve(JSON.parse(line) as UplinkFigures);
      else reject(new Error(`the ${o.scenario} scenario ended with ${signal ?? `code ${code}`}${signal === 'SIGKILL' ? ` (past ${timeoutMs} ms)` : ''}: ${err.trim() || out.trim()}`));
    });
  });
}

export async function runUplinkScenario(o: UplinkScenario): Promise<UplinkFigures> {
  const scale = o.scale ?? 1;
  const phase = o.phases ?? { before: 20_000 * scale, squeeze: 40_000 * scale, after: 30_000 * scale };
  const total = phase.before + phase.squeeze + phase.after;
  upLoopback();
  const nodes: NodeProcess[] = await Promise.all([startNode({ env: { TANDEM_NODE_ID: 'node-1' } }), startNode({ env: { TANDEM_NODE_ID: 'node-2' } })]);
  const shaped = ShapedUplink.setUp({ ports: nodes.map((n) => n.rtmpPort), uploadBps: 20 * MBIT });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-uplink-'));
  const ticks: UplinkTick[] = [];
  const mc = new MultiConnection(o.controller ? { uplink: o.trace ? { onTick: (t) => ticks.push(t) } : {} } : {});
  const players: PullHandle[] = [];
  const steps: { at: number; state: UplinkState }[] = [];
  try {
    await mc.connect(nodes.map((n, i) => ({ id: `node-${i + 1}`, url: n.publishUrl('main', 3600) })));
    const t0 = performance.now();
    let encodingAt: number | null = null;
    mc.onUplink((state) => steps.push({ at: performance.now() - t0, state }));
    mc.onEncoderStatus((st) => st.state === 'running' && (encodingAt ??= performance.now()));
    await mc.publish({ kind: 'test', width: 1280, height: 720, fps: 30, videoKbps: 2500, preset: 'ultrafast' }, { recording: { dir, baseName: 'webcast', minFreeBytes: 0 } });
    await waitFor(() => mc.snapshots().every((s) => s.state === 'live'), { timeoutMs: 20_000, what: 'both servers live' });
    const pullStart = performance.now() - t0;
    for (const n of nodes) players.push(pullRtmp(`http://127.0.0.1:${n.httpPort}/live/main.flv`, { durationMs: total + 15_000 }));
    const at = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, t0 + ms - performance.now())));

    const debug = process.env.BENCH_UPLINK_DEBUG
      ? setInterval(() => console.error(JSON.stringify({ t: Math.round(performance.now() - t0), up: mc.uplinkState && { step: mc.uplinkState.step, verdict: mc.uplinkState.verdict, sent: mc.uplinkState.sentBps }, s: mc.snapshots().map((x) => ({ st: x.state, q: x.metrics.queueAgeMs, lag: x.metrics.lagMs, bps: x.metrics.sendBps, drop: x.metrics.droppedGops })) })), 1000)
      : null;
    await at(phase.before - 1000);
    const sentBefore = mc.snapshots().map((x) => x.metrics.bytesSent);
    const measuredFrom = performance.now();
    await at(phase.before);
    const encoderKbps = Math.round((mc.snapshots().reduce((n, x, i) => n + x.metrics.bytesSent - sentBefore[i]!, 0) * 8) / nodes.length / (performance.now() - measuredFrom));
    let slowVerdicts = 0;
    const countSlow = mc.onUplink((st) => st.slow.includes('node-2') && slowVerdicts++);
    const cutAt = o.scenario === 'healthy' ? null : performance.now();
    if (o.scenario === 'squeeze') shaped.setUpload(3 * MBIT);
    else if (o.scenario === 'short') shaped.setUpload(4 * MBIT);
    else if (o.scenario === 'slow-path') shaped.setPath(nodes[1]!.rtmpPort, 0.5 * MBIT);
    await at(phase.before + phase.squeeze - 250);
    const second = mc.snapshots()[1]!;
    const slowServer = o.scenario === 'slow-path' ? { state: second.state, message: second.message, slow_verdicts: slowVerdicts } : null;
    countSlow.dispose();
    await at(phase.before + phase.squeeze);
    if (o.scenario === 'squeeze') shaped.setUpload(20 * MBIT);
    else if (o.scenario === 'slow-path') shaped.setPath(nodes[1]!.rtmpPort, Infinity);
    const restoredAt = o.scenario === 'squeeze' || o.scenario === 'slow-path' ? performance.now() : null;
    await at(total);
    if (debug) clearInterval(debug);

    const snaps = mc.snapshots();
    const results = await Promise.all(players.map((p) => p.stop()));
    // The webcast runs from the encoder's first output to the stop.
    const webcastS = (performance.now() - (encodingAt ?? t0)) / 1000;
    await mc.stop();
    const squeezeFrom = phase.before - pullStart;
    const squeezeTo = phase.before + phase.squeeze - pullStart;
    const firstDown = steps.find((s) => s.at >= phase.before && s.state.step > 0);
    const recovered = o.scenario === 'squeeze' ? steps.find((s) => s.at >= phase.before + phase.squeeze && s.state.step === 0) : undefined;
    const rec = await recordingFigures(path.join(dir, 'webcast.mkv'));
    return {
      scenario: o.scenario,
      controller: o.controller ? 'on' : 'off',
      scale,
      sent_kbps_per_server: encoderKbps,
      step_down_ms: firstDown ? Math.round(firstDown.at - phase.before) : null,
      lowest_step: Math.max(0, ...steps.map((s) => s.state.step)),
      recover_ms: recovered ? Math.round(recovered.at - phase.before - phase.squeeze) : null,
      viewer_stall_ms: results.map((r) => longestStallMs(r.packets, squeezeFrom, squeezeTo)),
      gops_dropped: snaps.map((s) => s.metrics.droppedGops),
      gops_dropped_healthy: o.scenario === 'slow-path' ? snaps[0]!.metrics.droppedGops : null,
      slow_server: slowServer,
      recording_gap_ms: rec.gapMs,
      recording_duration_s: rec.durationS,
      webcast_s: Number(webcastS.toFixed(2)),
      ...(o.trace ? { trace: toTrace(o.scenario, ticks, { cutAt, restoredAt }) } : {}),
    };
  } finally {
    await Promise.all(players.map((p) => p.stop()));
    await mc.stop();
    await Promise.all(nodes.map((n) => n.stop()));
    shaped.tearDown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
