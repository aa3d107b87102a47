// List patches (common/shared-object.ts) and the page's mirror (app/viewer/src/so-mirror.ts): a
// patch rebuilds exactly the new list, its size follows what changed and not the list's length, and
// the mirror applies deltas in order and asks for a resync on a gap or a patch that does not fit.
import { describe, expect, it } from 'vitest';
import { SoMirror } from '../../app/viewer/src/so-mirror.js';
import type { Json, NodeToClient } from '../../common/control-protocol.js';
import { applyListPatch, listPatch } from '../../common/shared-object.js';

const q = (i: number, votes = 0) => ({ id: `q-${String(i).padStart(8, '0')}`, text: `Question ${i}`, votes, answered: false, pinned: false });
const list = (n: number, from = 0) => Array.from({ length: n }, (_, i) => q(from + i));

function roundTrip(a: Json[], b: Json[]): number {
  const p = listPatch(a, b);
  expect(p).not.toBeNull();
  expect(applyListPatch(a, p!)).toEqual(b);
  return JSON.stringify(p).length;
}

describe('list patches', () => {
  it('rebuild the new list exactly over random edits', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 16807) % 2147483647), seed % n);
    let a: Json[] = list(100);
    for (let round = 0; round < 300; round++) {
      const b = [...a] as ReturnType<typeof q>[];
      for (let k = rnd(5); k >= 0; k--) {
        const op = rnd(4);
        if (op === 0) b.splice(rnd(b.length + 1), 0, q(1000 + round * 10 + k));
        else if (op === 1 && b.length > 0) b.splice(rnd(b.length), 1);
        else if (op === 2 && b.length > 0) {
          const [moved] = b.splice(rnd(b.length), 1);
          b.splice(rnd(b.length + 1), 0, { ...moved!, votes: moved!.votes + 1 });
        } else if (b.length > 0) {
          const i = rnd(b.length);
          b[i] = { ...b[i]!, answered: true };
        }
      }
      roundTrip(a, b);
      a = b;
    }
  });

  it('cost what changed, not how long the list is (100 vs 5,000 records)', () => {
    const sizes = [100, 5000].map((n) => {
      const a = list(n);
      // One new record on top, one vote moving a record from the middle up, one answered near the end.
      const b = [q(99_999), ...a];
      const mid = Math.floor(n / 2);
      const [moved] = b.splice(mid, 1);
      b.splice(3, 0, { ...moved!, votes: 5 });
      b[b.length - 2] = { ...b[b.length - 2]!, answered: true };
      return roundTrip(a, b);
    });
    // Only the indices in the runs grow with n (a few digits), never the records.
    expect(sizes[1]! - sizes[0]!).toBeLessThanOrEqual(20);
    expect(sizes[1]!).toBeLessThan(600);
  });

  it('are refused for lists without distinct ids, and do not fit another list', () => {
    expect(listPatch([1, 2], [1])).toBeNull();
    expect(listPatch([q(1), q(1)], [q(1)])).toBeNull();
    const p = listPatch(list(10), list(11))!;
    expect(applyListPatch(list(3), p)).toBeNull();
  });
});

describe('the page mirror', () => {
  const sync = (seq: number, value: Json): NodeToClient => ({ type: 'so.sync', name: 'qa', changed: ['questions'], slots: { questions: { version: seq, value } }, seq });
  const delta = (seq: number, a: Json[], b: Json[]): NodeToClient => ({ type: 'so.delta', name: 'qa', seq, slots: {}, patches: { questions: { version: seq, patch: listPatch(a, b)! } } });
  const apply = (m: SoMirror, msg: NodeToClient) => m.apply(msg as Extract<NodeToClient, { type: 'so.sync' | 'so.delta' }>);

  it('applies deltas in order, asks once on a gap, and takes the full sync back', () => {
    const m = new SoMirror();
    const v = [list(5), list(6), list(7), list(8)];
    expect(apply(m, sync(1, v[0]!)).kind).toBe('changed');
    expect(apply(m, delta(2, v[0]!, v[1]!)).kind).toBe('changed');
    expect(m.slots('qa')!.questions!.value).toEqual(v[1]);
    // seq 3 is lost: 4 shows the gap; later deltas wait for the full sync.
    expect(apply(m, delta(4, v[2]!, v[3]!))).toEqual({ kind: 'resync', name: 'qa' });
    expect(apply(m, delta(5, v[3]!, list(9))).kind).toBe('none');
    expect(m.gaps).toBe(1);
    expect(apply(m, sync(5, list(9))).kind).toBe('changed');
    expect(apply(m, delta(6, list(9), list(10))).kind).toBe('changed');
    expect(m.slots('qa')!.questions!.value).toEqual(list(10));
  });

  it('asks for a resync when a patch does not fit what it holds', () => {
    const m = new SoMirror();
    apply(m, sync(1, list(2)));
    expect(apply(m, delta(2, list(10), list(11))).kind).toBe('resync');
  });
});
