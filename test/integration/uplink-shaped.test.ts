// Issue #12's acceptance on the shaped rig: two real Tandem nodes behind a shaped upload (HTB on the
// loopback of a network namespace of the scenario's own), the engine publishing the test pattern at
// 2.5 Mb/s with the uplink controller on and the local recording, and a real player (ffprobe pulling
// HTTP-FLV) on each node. Each test runs one scenario in a child (test/support/uplink-scenario.ts)
// and asserts on the figures it prints. Shorter than bench:uplink's 90 s phases, so the bounds are the
// issue's goals where the run is long enough to show them, with headroom for a loaded 2-core machine.
import { describe, expect, it } from 'vitest';
import { runUplinkScenarioIsolated } from '../support/uplink-scenario.js';

// The rig needs root (unshare -n) and tc; without them these fail with the rig's own error.
describe('the uplink controller on a shaped upload (issue #12)', () => {
  it('a squeeze 20 → 3 → 20 Mb/s: steps down within 3 s, players stall ≤ 1 s, back to full rate after, the recording whole', async () => {
    // 5 s at 20 Mb/s, 10 s at 3 Mb/s, 32 s at 20 Mb/s: long enough to show the goal (full rate
    // again ≤ 30 s after the upload returns: two probes up, 10 s apart, after 10 s of empty queues).
    const f = await runUplinkScenarioIsolated({ scenario: 'squeeze', controller: true, phases: { before: 5000, squeeze: 10_000, after: 32_000 } }, 115_000);
    console.log(JSON.stringify(f));
    expect(f.step_down_ms).not.toBeNull();
    expect(f.step_down_ms!).toBeLessThanOrEqual(3000);
    expect(f.lowest_step).toBeGreaterThanOrEqual(1);
    expect(f.viewer_stall_ms).toHaveLength(2);
    for (const stall of f.viewer_stall_ms) expect(stall).toBeLessThanOrEqual(1000);
    expect(f.recover_ms).not.toBeNull();
    expect(f.recover_ms!).toBeLessThanOrEqual(30_000);
    expect(f.gops_dropped).toEqual([0, 0]);
    expect(f.recording_gap_ms).toBeLessThan(500);
    expect(Math.abs(f.recording_duration_s - f.webcast_s)).toBeLessThanOrEqual(1);
  }, 125_000);

  it('one server’s own path cut to 0.5 Mb/s: the bitrate stays, the healthy server drops nothing, the slow one alone suffers and is named slow', async () => {
    const f = await runUplinkScenarioIsolated({ scenario: 'slow-path', controller: true, phases: { before: 5000, squeeze: 14_000, after: 3000 } }, 100_000);
    console.log(JSON.stringify(f));
    expect(f.lowest_step).toBe(0);
    expect(f.step_down_ms).toBeNull();
    expect(f.gops_dropped_healthy).toBe(0);
    expect(f.viewer_stall_ms[0]!).toBeLessThanOrEqual(1000);
    // The slow server alone suffers: its relay drops GOPs once its backlog overflows (how soon depends
    // on how much the kernel's socket buffer took first), and its player stalls for seconds meanwhile.
    expect(f.gops_dropped[1]! > 0 || f.viewer_stall_ms[1]! >= 3000).toBe(true);
    // Its tile: still live (not paused for the upload), and the controller names it as the slow one.
    expect(f.slow_server).toMatchObject({ state: 'live' });
    expect(f.slow_server!.slow_verdicts).toBeGreaterThan(0);
    expect(f.recording_gap_ms).toBeLessThan(500);
    expect(Math.abs(f.recording_duration_s - f.webcast_s)).toBeLessThanOrEqual(1);
  }, 110_000);
});
