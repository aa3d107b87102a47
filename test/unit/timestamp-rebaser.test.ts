import { describe, expect, it } from 'vitest';
import { TimestampRebaser } from '../../main/engine/flv/timestamp-rebaser.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TimestampRebaser', () => {
  it('starts a relay timeline at 0 whatever the source timestamp', () => {
    const c = clock();
    const r = new TimestampRebaser(c.now);
    expect(r.map(50_000)).toBe(0);
    c.advance(33);
    expect(r.map(50_033)).toBe(33);
  });

  it('keeps one monotonic timeline across an encoder restart (source back to 0)', () => {
    const c = clock();
    const r = new TimestampRebaser(c.now);
    for (let ts = 0; ts <= 3000; ts += 33) {
      r.map(ts);
      c.advance(33);
    }
    const before = r.lastTimestamp;
    c.advance(400); // the encoder took 400 ms to come back
    r.discontinuity();
    const first = r.map(0);
    expect(first).toBeGreaterThan(before);
    expect(first - before).toBeGreaterThanOrEqual(400);
    expect(first - before).toBeLessThan(500);
    c.advance(33);
    expect(r.map(33)).toBe(first + 33);
  });

  it('detects a backwards jump without being told (a source restart it was not warned of)', () => {
    const c = clock();
    const r = new TimestampRebaser(c.now);
    r.map(10_000);
    c.advance(20);
    r.map(10_020);
    c.advance(20);
    const after = r.map(5); // new source timeline
    expect(after).toBeGreaterThan(20);
  });

  it('lets audio and video interleave slightly out of order without rebasing', () => {
    const r = new TimestampRebaser(clock().now);
    r.map(1000);
    expect(r.map(1040)).toBe(40);
    expect(r.map(1021)).toBe(21); // audio a bit behind the last video tag: kept as is
  });

  it('continues after a re-join from the last output plus the time away', () => {
    const c = clock();
    const r = new TimestampRebaser(c.now);
    r.map(0);
    c.advance(1000);
    r.map(1000);
    c.advance(2500); // server down for 2.5 s
    r.discontinuity();
    expect(r.map(3200)).toBe(1000 + 2500); // the GOP replay begins where the wall clock is
  });

  it('peeks where a source time lands without moving the timeline, also while the relay is away', () => {
    const c = clock();
    const r = new TimestampRebaser(c.now);
    expect(r.peek(5000)).toBe(0); // nothing sent yet: the timeline will start at 0
    r.map(5000);
    c.advance(100);
    r.map(5100);
    expect(r.peek(5100)).toBe(100);
    expect(r.peek(6600)).toBe(1600); // a cue cued 1.5 s ahead
    expect(r.lastTimestamp).toBe(100);
    // Away (re-join pending): the next segment starts after the wall time that passed.
    r.discontinuity();
    c.advance(700);
    expect(r.peek(0)).toBe(800);
    expect(r.peek(1500, 0)).toBe(2300); // a cue 1.5 s ahead of the source's now, while away
    expect(r.map(0)).toBe(800);
    // An encoder restart the rebaser was not told of: a source time far behind is a new segment.
    c.advance(50);
    expect(r.peek(-5000)).toBe(850);
  });
});
