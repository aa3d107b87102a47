// The upload probe's per-address limits (app/control/address-limits.ts), on a fake clock: one probe
// at a time per address, six a minute, refilled over the minute; other addresses are not affected,
// and an address with a probe running is never pruned (its "busy" would be lost).
import { describe, expect, it } from 'vitest';
import { AddressLimits } from '../../app/control/address-limits.js';

const limits = (now: () => number) => new AddressLimits({ maxConnectionsPerAddress: 20, questionsPerAddressPerMin: 10, votesPerAddressPerMin: 60 }, now);

describe('upload probe limits per address', () => {
  it('takes one probe at a time and six a minute per address', () => {
    let t = 0;
    const l = limits(() => t);
    expect(l.startProbe('10.0.0.1')).toBeNull();
    expect(l.startProbe('10.0.0.1')).toBe('busy');
    // Another address is its own.
    expect(l.startProbe('10.0.0.2')).toBeNull();
    l.endProbe('10.0.0.1');
    for (let i = 0; i < 5; i++) {
      expect(l.startProbe('10.0.0.1')).toBeNull();
      l.endProbe('10.0.0.1');
    }
    expect(l.startProbe('10.0.0.1')).toBe('rate');
    // One comes back every 10 s.
    t += 10_000;
    expect(l.startProbe('10.0.0.1')).toBeNull();
    l.endProbe('10.0.0.1');
    expect(l.startProbe('10.0.0.1')).toBe('rate');
  });

  it('never forgets an address whose probe runs when idle entries are pruned', () => {
    let t = 0;
    const l = limits(() => t);
    expect(l.startProbe('10.9.9.9')).toBeNull();
    t += 120_000;
    // 10,000 other addresses fill the table: idle ones are pruned, the running probe stays.
    for (let i = 0; i < 10_001; i++) {
      l.startProbe(`10.1.${i >> 8}.${i & 255}`);
      l.endProbe(`10.1.${i >> 8}.${i & 255}`);
    }
    expect(l.startProbe('10.9.9.9')).toBe('busy');
  });

  it('honours a configured rate', () => {
    const t = 0;
    const l = new AddressLimits({ maxConnectionsPerAddress: 20, questionsPerAddressPerMin: 10, votesPerAddressPerMin: 60, probesPerAddressPerMin: 1 }, () => t);
    expect(l.startProbe('a')).toBeNull();
    l.endProbe('a');
    expect(l.startProbe('a')).toBe('rate');
  });
});
