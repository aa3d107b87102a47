// The webcast lifecycle's contract and the engine's wait for acknowledgements: the schemas refuse
// bad phases in words, a viewer may not set the phase, and WebcastAcks gives exactly one result per
// send (ack, not-connected at once, a lost session, or a timeout) and never waits past its bound.
import { describe, expect, it } from 'vitest';
import { PRESENTER_TYPES, VIEWER_TYPES, nodeToClientSchema, presenterToNodeSchema, type PresenterToNode } from '../../common/control-protocol.js';
import { countdownText } from '../../common/webcast.js';
import { WebcastAcks } from '../../main/engine/control/webcast-acks.js';

const view = { phase: 'live', session: 'wc-1', questions: 'open' } as const;

describe('webcast messages', () => {
  it('parses a presenter\'s phases and refuses bad ones in words', () => {
    expect(presenterToNodeSchema.parse({ type: 'webcast', id: 'w1', state: { phase: 'live', session: 'wc-1' } })).toEqual({ type: 'webcast', id: 'w1', state: { phase: 'live', session: 'wc-1', continueQa: false } });
    const zero = presenterToNodeSchema.safeParse({ type: 'webcast', id: 'w1', state: { phase: 'countdown', seconds: 0 } });
    expect(zero.success ? '' : zero.error.issues[0]!.message).toBe('A countdown is at least 1 second');
    const long = presenterToNodeSchema.safeParse({ type: 'webcast', id: 'w1', state: { phase: 'countdown', seconds: 61 } });
    expect(long.success ? '' : long.error.issues[0]!.message).toBe('A countdown is at most 60 seconds');
    expect(presenterToNodeSchema.safeParse({ type: 'webcast', id: 'w1', state: { phase: 'live', session: 'a/b' } }).success).toBe(false);
    expect(PRESENTER_TYPES.has('webcast')).toBe(true);
    expect(VIEWER_TYPES.has('webcast')).toBe(false);
  });

  it('parses what a node tells its clients', () => {
    expect(nodeToClientSchema.parse({ type: 'webcast', webcast: { phase: 'ended', reason: 'publisher-gone', questions: 'closed' } }).type).toBe('webcast');
    expect(nodeToClientSchema.safeParse({ type: 'webcast', webcast: { phase: 'over', questions: 'open' } }).success).toBe(false);
    expect(nodeToClientSchema.parse({ type: 'qa.asked', question: { id: 'q-00000001', text: 'x', askedAt: 1, votes: 0 }, kept: true })).toMatchObject({ kept: true });
  });

  it('counts down in whole seconds, rounding up', () => {
    expect(countdownText(3000)).toBe('Starting in 3…');
    expect(countdownText(2001)).toBe('Starting in 3…');
    expect(countdownText(1)).toBe('Starting in 1…');
    expect(countdownText(0)).toBe('Starting now…');
    expect(countdownText(-50)).toBe('Starting now…');
  });
});

describe('WebcastAcks', () => {
  const target = (connected: boolean, sent: PresenterToNode[], accepts = true) => ({ connected, send: (m: PresenterToNode) => (sent.push(m), accepts) });

  it('resolves with the node\'s ack for its own id only', async () => {
    const acks = new WebcastAcks();
    const sent: PresenterToNode[] = [];
    const p = acks.send('a', target(true, sent), { phase: 'ended' }, 5000);
    const id = (sent[0] as { id: string }).id;
    acks.ack('b', id, view); // another node's ack with the same id is not this one's
    acks.ack('a', 'resync', view);
    acks.ack('a', id, view);
    await expect(p).resolves.toMatchObject({ server: 'a', ok: true, webcast: view });
  });

  it('does not wait for a node that is down, and ends the wait when a session is lost', async () => {
    const acks = new WebcastAcks();
    const t0 = Date.now();
    await expect(acks.send('down', target(false, []), { phase: 'ended' }, 5000)).resolves.toMatchObject({ ok: false, code: 'not-connected' });
    await expect(acks.send('full', target(true, [], false), { phase: 'ended' }, 5000)).resolves.toMatchObject({ ok: false, code: 'not-connected' });
    const p = acks.send('a', target(true, []), { phase: 'ended' }, 5000);
    acks.lost('a');
    await expect(p).resolves.toMatchObject({ ok: false, code: 'not-connected', message: expect.stringContaining('reconnects') });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('times out within its bound', async () => {
    const acks = new WebcastAcks();
    const t0 = Date.now();
    const r = await acks.send('silent', target(true, []), { phase: 'countdown', seconds: 3 }, 100);
    expect(r).toMatchObject({ ok: false, code: 'timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
