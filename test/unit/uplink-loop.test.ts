import { describe, expect, it } from 'vitest';
import type { ServerSnapshot } from '../../common/streaming.js';
import { UplinkLoop, type UplinkState, type UplinkTarget } from '../../main/engine/uplink/uplink-loop.js';

function snap(id: string, queueAgeMs: number, sendBps: number, state: ServerSnapshot['state'] = 'live'): ServerSnapshot {
  return {
    id, label: id, state, reason: null, message: '', since: 0, nextAttemptAt: null,
    metrics: { bytesSent: 0, bitrateBps: sendBps, uptimeMs: 1, reconnects: 0, droppedGops: 0, lastError: null, queueAgeMs, sendBps },
  };
}

class FakeEngine implements UplinkTarget {
  servers: ServerSnapshot[] = [];
  fractions: number[] = [];
  paused: string[] = [];
  log: string[] = [];
  rates: { videoBps: number; audioBps: number } | null = { videoBps: 2_500_000, audioBps: 128_000 };
  snapshots = () => this.servers;
  encoderRates = () => this.rates;
  setVideoFraction(f: number): void {
    this.fractions.push(f);
  }
  pauseServer(id: string, reason: string): void {
    this.paused.push(id);
    this.log.push(`pause ${id}: ${reason}`);
  }
  resumeServer(id: string): void {
    this.paused = this.paused.filter((p) => p !== id);
    this.log.push(`resume ${id}`);
  }
}

function loop(engine: FakeEngine): { loop: UplinkLoop; clock: { t: number }; changes: UplinkState[] } {
  const clock = { t: 0 };
  const l = new UplinkLoop(engine, { tickMs: 60_000, now: () => clock.t });
  const changes: UplinkState[] = [];
  l.onChange((s) => changes.push(s));
  return { loop: l, clock, changes };
}

describe('uplink loop', () => {
  it('steps the encoder down when every live server falls behind, and says so once', () => {
    const engine = new FakeEngine();
    const { loop: l, clock, changes } = loop(engine);
    // The upload carries 4 Mb/s: 60 % (3.65 Mb/s on the wire for both) fits, so it stops there.
    engine.servers = [snap('a', 1500, 2_000_000), snap('b', 1500, 2_000_000)];
    for (; clock.t <= 3000; clock.t += 250) l.tick();
    expect(engine.fractions).toEqual([0.6]);
    expect(l.state).toMatchObject({ step: 1, verdict: 'upload-short', reason: 'reduced for your connection', sentBps: 4_000_000, neededBps: 2 * (1_500_000 + 128_000) });
    expect(changes.filter((c) => c.reason === 'reduced for your connection')).toHaveLength(1);
    l.dispose();
  });

  it('judges only servers that are live: one reconnecting server is not a short upload', () => {
    const engine = new FakeEngine();
    const { loop: l, clock } = loop(engine);
    engine.servers = [snap('a', 0, 2_600_000), snap('b', 0, 0, 'reconnecting')];
    for (; clock.t <= 5000; clock.t += 250) l.tick();
    expect(engine.fractions).toEqual([]);
    expect(l.state).toMatchObject({ verdict: 'clear', step: 0, neededBps: 2_628_000 });
    l.dispose();
  });

  it('pauses the last-configured server first, with the reason, and resumes it when the upload returns', () => {
    const engine = new FakeEngine();
    const { loop: l, clock } = loop(engine);
    engine.servers = [snap('primary', 2000, 300_000), snap('backup', 2000, 300_000)];
    for (; clock.t <= 30_000 && engine.paused.length === 0; clock.t += 250) l.tick();
    expect(engine.paused).toEqual(['backup']);
    expect(engine.log[0]).toBe('pause backup: paused: your upload cannot carry 2 servers');
    // The engine shows the paused server as paused; the primary drains.
    engine.servers = [snap('primary', 0, 700_000), snap('backup', 0, 0, 'paused' as ServerSnapshot['state'])];
    for (const end = clock.t + 15_000; clock.t <= end; clock.t += 250) l.tick();
    expect(engine.log).toContain('resume backup');
    l.dispose();
  });

  it('does not count the lag one acknowledgement window explains: a server acking every 256 KiB is not behind', () => {
    // 0.65 s unacknowledged at full rate (2.94 Mb/s on the wire) is 240 KiB: less than one window of
    // this server, so nothing waits beyond what its acknowledgements allow. Without acknowledgements
    // (no window to learn) the same lag is behind, and both servers behind is a short upload. The
    // first second has no lag: the loop learns a window from its first acknowledgements.
    const withAcks = new FakeEngine();
    const a = loop(withAcks);
    const withoutAcks = new FakeEngine();
    const b = loop(withoutAcks);
    for (let i = 0; a.clock.t <= 5000; a.clock.t += 250, b.clock.t += 250, i++) {
      const acked = Math.floor(i / 3) * 256 * 1024;
      withAcks.servers = ['x', 'y'].map((id) => {
        const s = snap(id, 0, 2_900_000);
        return { ...s, metrics: { ...s.metrics, lagMs: i < 4 ? 0 : 650, ackedBytes: acked } };
      });
      withoutAcks.servers = ['x', 'y'].map((id) => {
        const s = snap(id, 0, 2_900_000);
        return { ...s, metrics: { ...s.metrics, lagMs: i < 4 ? 0 : 650 } };
      });
      a.loop.tick();
      b.loop.tick();
    }
    expect(a.loop.state).toMatchObject({ verdict: 'clear', step: 0 });
    expect(withAcks.fractions).toEqual([]);
    expect(b.loop.state!.verdict).toBe('upload-short');
    a.loop.dispose();
    b.loop.dispose();
  });

  it('does nothing while no adaptable encoder runs', () => {
    const engine = new FakeEngine();
    engine.rates = null;
    const { loop: l, clock } = loop(engine);
    engine.servers = [snap('a', 5000, 100_000)];
    for (; clock.t <= 10_000; clock.t += 250) l.tick();
    expect(engine.fractions).toEqual([]);
    expect(l.state).toBeNull();
    l.dispose();
  });
});
