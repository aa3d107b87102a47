// When `tandem-node cluster` starts a dead node again: at once after a crash, with a doubling wait
// when it keeps dying (bounded), never again after too many failures in a row.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, RestartPolicy } from '../../app/restart-policy.js';

describe('RestartPolicy', () => {
  it('restarts at once a node that dies after serving, however briefly it served', () => {
    expect(new RestartPolicy().onDeath(60_000)).toEqual({ kind: 'restart', delayMs: 0, failures: 1 });
    expect(new RestartPolicy().onDeath(1000)).toEqual({ kind: 'restart', delayMs: 0, failures: 1 });
  });

  it('backs off, doubling up to the cap, while the node keeps dying, and gives up after maxFailures in a row', () => {
    const policy = new RestartPolicy({ stableAfterMs: 10_000, firstDelayMs: 500, maxDelayMs: 4000, maxFailures: 7 });
    const delays = [1000, 0, 0, 200, 0, 0].map((served) => policy.onDeath(served));
    expect(delays.map((d) => (d.kind === 'restart' ? d.delayMs : d.kind))).toEqual([0, 500, 1000, 2000, 4000, 4000]);
    expect(policy.onDeath(0)).toEqual({ kind: 'give-up', failures: 7 });
  });

  it('forgets earlier failures once the node has served a while', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < 4; i++) policy.onDeath(0);
    expect(policy.onDeath(DEFAULT_RESTART_POLICY.stableAfterMs)).toEqual({ kind: 'restart', delayMs: 0, failures: 1 });
  });

  it('by default waits at most 30 s between starts and tries 10 times', () => {
    const policy = new RestartPolicy();
    const decisions = Array.from({ length: 10 }, () => policy.onDeath(0));
    const waits = decisions.flatMap((d) => (d.kind === 'restart' ? [d.delayMs] : []));
    expect(Math.max(...waits)).toBe(30_000);
    expect(decisions.at(-1)).toEqual({ kind: 'give-up', failures: 10 });
  });
});
