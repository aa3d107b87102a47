// The presenter panel's store keeps every question that did not change as the object it already
// holds (renderer/src/store/qa-slice.ts), so the memoized rows of a busy Q&A re-render only what
// changed; a change in any shown field gives a new object.
import { describe, expect, it } from 'vitest';
import { keepUnchanged, type QaQuestion } from '../../renderer/src/store/qa-slice.js';

const q = (i: number, over: Partial<QaQuestion> = {}): QaQuestion => ({ id: `q-${i}`, text: `Question ${i}`, author: null, votes: 0, askedAt: i, status: 'approved', pinned: false, servers: ['a'], ...over });

describe('keepUnchanged', () => {
  it('keeps unchanged questions as the same objects and takes changed and new ones', () => {
    const prev = [q(1), q(2), q(3), q(4), q(5), q(6)];
    const next = [q(1), q(2, { votes: 1 }), q(3, { status: 'answered' }), q(4, { pinned: true }), q(5, { servers: ['a', 'b'] }), q(6), q(7)];
    const out = keepUnchanged(prev, next);
    expect(out).toEqual(next);
    expect(out[0]).toBe(prev[0]);
    expect(out[5]).toBe(prev[5]);
    for (const i of [1, 2, 3, 4, 6]) expect(out[i]).toBe(next[i]);
  });
});
