import { describe, expect, it } from 'vitest';
import { Backoff } from '../../main/engine/base/backoff.js';

describe('Backoff', () => {
  it('retries fast first, grows, and caps at about 10 s', () => {
    const b = new Backoff(undefined, () => 0.5); // 0.5 → no jitter
    const seq = Array.from({ length: 9 }, () => b.next());
    expect(seq).toEqual([200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
  });

  it('spreads retries with jitter within ±20 %', () => {
    const lo = new Backoff(undefined, () => 0);
    const hi = new Backoff(undefined, () => 0.999999);
    for (let i = 0; i < 8; i++) {
      const base = Math.min(10_000, 200 * 2 ** i);
      expect(lo.next()).toBeGreaterThanOrEqual(Math.round(base * 0.8));
      expect(hi.next()).toBeLessThanOrEqual(Math.round(base * 1.2));
    }
  });

  it('never goes below the floor given for a refused key, and starts over after reset', () => {
    const b = new Backoff(undefined, () => 0.5);
    expect(b.next(2000)).toBe(2000);
    expect(b.next(2000)).toBe(2000);
    expect(b.next(2000)).toBe(2000);
    expect(b.next(2000)).toBe(2000);
    expect(b.next(2000)).toBe(3200);
    b.reset();
    expect(b.next()).toBe(200);
  });
});
