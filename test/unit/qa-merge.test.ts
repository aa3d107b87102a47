import { describe, expect, it } from 'vitest';
import type { Json } from '../../common/control-protocol.js';
import { MAX_MESSAGE_BYTES } from '../../common/limits.js';
import { MODERATION_BUCKETS, QA_MODERATION_OBJECT, moderationBucketIndex, moderationBucketName } from '../../common/qa.js';
import { MAX_VOTERS_PER_QUESTION, mergeQuestion, moderate, setNodeVotes } from '../../main/engine/control/qa/qa-draft.js';
import { exportCsv, exportJson } from '../../main/engine/control/qa/qa-export.js';
import {
  moderationBucketOf,
  moderationObjects,
  moderationRecord,
  parseModerationBucket,
  parseModerationRecord,
  restoreModeration,
  restoreStatuses,
} from '../../main/engine/control/qa/qa-moderation.js';
import { publicSlots, publicView } from '../../main/engine/control/qa/qa-public.js';
import { emptyQa } from '../../main/engine/control/qa/qa-state.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';

const q = (id: string, votes = 0, askedAt = 1000) => ({ id, text: `question ${id}`, askedAt, votes });

describe('Q&A merge', () => {
  it('keeps one question when the same id arrives through two nodes, and sums votes over nodes', () => {
    let s = mergeQuestion(emptyQa(), 'A', q('question-1', 2));
    s = mergeQuestion(s, 'B', q('question-1', 0, 900));
    expect(Object.keys(s.questions)).toEqual(['question-1']);
    expect(s.questions['question-1']!.nodes).toEqual(['A', 'B']);
    expect(s.questions['question-1']!.askedAt).toBe(900);
    s = setNodeVotes(s, 'B', 'question-1', 3);
    expect(s.questions['question-1']!.votes).toBe(5);
    // A node's later count replaces its own earlier one, never adds to it.
    s = setNodeVotes(s, 'A', 'question-1', 4);
    expect(s.questions['question-1']!.votes).toBe(7);
  });

  it('returns the same state when a retry changes nothing', () => {
    const s = mergeQuestion(emptyQa(), 'A', q('question-1'));
    expect(mergeQuestion(s, 'A', q('question-1'))).toBe(s);
    expect(setNodeVotes(s, 'A', 'question-1', 0)).toBe(s);
  });

  it('keeps votes reported before their question arrives and adds them when it does', () => {
    let s = setNodeVotes(emptyQa(), 'C', 'question-1', 1);
    expect(s.questions).toEqual({});
    expect(setNodeVotes(s, 'C', 'question-1', 1)).toBe(s);
    s = mergeQuestion(s, 'A', q('question-1', 2));
    expect(s.questions['question-1']!.votes).toBe(3);
    expect(s.questions['question-1']!.votesByNode).toEqual({ A: 2, C: 1 });
    expect(s.orphanVotes?.size ?? 0).toBe(0);
  });

  it('pre-moderation holds questions back until approved; dismiss hides them and clears the pin', () => {
    let s = mergeQuestion(emptyQa(true), 'A', q('question-1'));
    expect(publicView(s)).toEqual([]);
    s = moderate(s, { action: 'approve', questionId: 'question-1' });
    expect(publicView(s).map((x) => x.id)).toEqual(['question-1']);
    s = moderate(s, { action: 'pin', questionId: 'question-1' });
    expect(publicSlots(s).pinned).toBe('question-1');
    s = moderate(s, { action: 'dismiss', questionId: 'question-1' });
    expect(publicView(s)).toEqual([]);
    expect(s.pinnedId).toBeNull();
  });

  it('without pre-moderation questions show at once; pinned first, answered last, then by votes', () => {
    let s = emptyQa(false);
    s = mergeQuestion(s, 'A', q('question-1', 1));
    s = mergeQuestion(s, 'A', q('question-2', 5));
    s = mergeQuestion(s, 'B', q('question-3', 9));
    s = moderate(s, { action: 'answer', questionId: 'question-3' });
    s = moderate(s, { action: 'pin', questionId: 'question-1' });
    expect(publicView(s).map((x) => [x.id, x.pinned, x.answered])).toEqual([
      ['question-1', true, false],
      ['question-2', false, false],
      ['question-3', false, true],
    ]);
    expect(moderate(s, { action: 'pin', questionId: 'no-such-question' })).toBe(s);
  });

  it('exports CSV with quoting and formula guards, and JSON in asking order', () => {
    let s = mergeQuestion(emptyQa(), 'A', { id: 'question-2', text: '=HYPERLINK("x")', askedAt: 2000, votes: 0 });
    s = mergeQuestion(s, 'A', { id: 'question-1', text: 'a, "b"\nc', name: 'Ann', askedAt: 1000, votes: 1 });
    const csv = exportCsv(s);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,asked_at,name,text,votes,status,pinned,nodes');
    expect(lines[1]).toContain('"a, ""b""\nc"');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    const json = JSON.parse(exportJson(s)) as { questions: { id: string }[] };
    expect(json.questions.map((x) => x.id)).toEqual(['question-1', 'question-2']);
  });
});

describe('Q&A public view order', () => {
  it('shows the newest first among equal votes, so a new question is seen even with 100 older ones', () => {
    let s = emptyQa(false);
    for (let i = 0; i < 150; i++) s = mergeQuestion(s, 'A', { id: `question-${String(i).padStart(3, '0')}`, text: 't', askedAt: i, votes: 0 });
    const view = publicView(s);
    expect(view).toHaveLength(100);
    expect(view[0]!.id).toBe('question-149');
    expect(view.at(-1)!.id).toBe('question-050');
  });
});

describe('Q&A public view size', () => {
  it('cuts the lowest-ranked questions so the qa object fits one control message, keeping the pin', () => {
    let s = emptyQa(false);
    for (let i = 0; i < 100; i++) s = mergeQuestion(s, 'A', { id: `question-${String(i).padStart(3, '0')}`, text: '😀'.repeat(500), askedAt: i, votes: i });
    s = moderate(s, { action: 'pin', questionId: 'question-000' });
    const slots = publicSlots(s);
    const bytes = new TextEncoder().encode(JSON.stringify(slots)).length;
    expect(bytes).toBeLessThanOrEqual(48 * 1024 + 100);
    const shown = slots.questions as { id: string }[];
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(100);
    expect(shown[0]!.id).toBe('question-000');
    expect(slots.pinned).toBe('question-000');
    expect(shown[1]!.id).toBe('question-099'); // then by votes
  });
});

describe('moderation record', () => {
  it('round-trips through shared-object values and restores statuses, pin and pre-moderation', () => {
    let s = mergeQuestion(emptyQa(false), 'A', { id: 'question-1', text: 'a', askedAt: 1, votes: 0 });
    s = mergeQuestion(s, 'A', { id: 'question-2', text: 'b', askedAt: 2, votes: 0 });
    s = moderate(s, { action: 'dismiss', questionId: 'question-2' });
    s = moderate(s, { action: 'pin', questionId: 'question-1' });
    s = moderate(s, { action: 'pre-moderation', on: true });
    const values = JSON.parse(JSON.stringify(moderationRecord(s))) as Record<string, Json>;
    const record = parseModerationRecord(values)!;
    let fresh = mergeQuestion(emptyQa(false), 'B', { id: 'question-2', text: 'b', askedAt: 2, votes: 0 });
    fresh = restoreModeration(fresh, record);
    expect(fresh.questions['question-2']!.status).toBe('dismissed');
    expect(fresh.pinnedId).toBe('question-1');
    expect(fresh.preModeration).toBe(true);
    expect(record.statuses['question-1']).toBe('approved');
    expect(parseModerationRecord({ preModeration: 'yes', statuses: {} })).toBeNull();
    expect(parseModerationRecord({ preModeration: false, statuses: { 'question-1': 'hacked' } })!.statuses).toEqual({});
  });
});

describe('votes counted once per voter across nodes', () => {
  const base = () => mergeQuestion(emptyQa(), 'A', q('question-1'));

  it('counts a voter who voted on A and again on B (after a failover) once; two voters twice', () => {
    let s = setNodeVotes(base(), 'A', 'question-1', 1, ['voter-0001']);
    s = setNodeVotes(s, 'B', 'question-1', 1, ['voter-0001']);
    expect(s.questions['question-1']!.votes).toBe(1);
    // Each node's own figure stays what that node counted (the export's per-node view).
    expect(s.questions['question-1']!.votesByNode).toEqual({ A: 1, B: 1 });
    s = setNodeVotes(s, 'B', 'question-1', 2, ['voter-0002']);
    expect(s.questions['question-1']!.votes).toBe(2);
  });

  it('takes a full list again (resync) without counting anyone twice, and returns the same state', () => {
    let s = setNodeVotes(base(), 'A', 'question-1', 2, ['voter-0001', 'voter-0002']);
    s = setNodeVotes(s, 'B', 'question-1', 2, ['voter-0002', 'voter-0003']);
    expect(s.questions['question-1']!.votes).toBe(3);
    expect(setNodeVotes(s, 'A', 'question-1', 2, ['voter-0002', 'voter-0001'])).toBe(s);
  });

  it('keeps voter ids that arrive before their question (engine restart) and counts them when it merges', () => {
    let s = setNodeVotes(emptyQa(), 'C', 'question-1', 1, ['voter-0001']);
    s = setNodeVotes(s, 'B', 'question-1', 1, ['voter-0001']);
    s = mergeQuestion(s, 'A', q('question-1', 0));
    expect(s.questions['question-1']!.votes).toBe(1);
  });

  it('counts votes a node sent without ids (an older node) by that node, as before', () => {
    let s = setNodeVotes(base(), 'A', 'question-1', 1, ['voter-0001']);
    s = setNodeVotes(s, 'old', 'question-1', 3);
    expect(s.questions['question-1']!.votes).toBe(4);
  });

  it('past the per-question bound keeps counting votes through the nodes\' own counts', () => {
    const ids = Array.from({ length: MAX_VOTERS_PER_QUESTION + 10 }, (_, i) => `voter-${String(i).padStart(6, '0')}`);
    let s = setNodeVotes(base(), 'A', 'question-1', ids.length, ids);
    expect(s.voters!.get('question-1')!.ids.size).toBe(MAX_VOTERS_PER_QUESTION);
    expect(s.questions['question-1']!.votes).toBe(ids.length);
    // A voter within the bound who votes again on B counts once; one past it counts per node.
    s = setNodeVotes(s, 'B', 'question-1', 2, [ids[0]!, ids.at(-1)!]);
    expect(s.questions['question-1']!.votes).toBe(ids.length + 1);
  });
});

describe('moderation mirrored in buckets', () => {
  const many = (n: number) => {
    let s = emptyQa(false);
    for (let i = 0; i < n; i++) s = mergeQuestion(s, 'A', { id: `q-${'x'.repeat(50)}-${String(i).padStart(5, '0')}`, text: 't', askedAt: i, votes: 0 });
    return s;
  };
  const bytesOf = (name: string, slots: Record<string, Json>) => new TextEncoder().encode(JSON.stringify({ type: 'so.state', objects: { [name]: { public: false, slots } } })).length;
  const restore = (objects: Record<string, Record<string, Json>>, into: ReturnType<typeof emptyQa>) => {
    let s = into;
    for (const [name, slots] of Object.entries(objects)) {
      const values = JSON.parse(JSON.stringify(slots)) as Record<string, Json>;
      if (name === QA_MODERATION_OBJECT) s = restoreModeration(s, parseModerationRecord(values)!);
      else if (moderationBucketIndex(name) !== null) s = restoreStatuses(s, parseModerationBucket(values));
    }
    return s;
  };

  it('mirrors 2,000 questions with long ids in objects that each fit one control message, and restores all of them', () => {
    let s = many(2000);
    const ids = Object.keys(s.questions);
    for (const id of ids.filter((_, i) => i % 3 === 0)) s = moderate(s, { action: 'dismiss', questionId: id });
    for (const id of ids.filter((_, i) => i % 3 === 1)) s = moderate(s, { action: 'answer', questionId: id });
    s = moderate(s, { action: 'pin', questionId: ids[2]! });
    const objects = moderationObjects(s);
    expect(Object.keys(objects).length).toBeGreaterThan(10);
    expect(Object.keys(objects).length).toBeLessThanOrEqual(MODERATION_BUCKETS + 1);
    for (const [name, slots] of Object.entries(objects)) expect(bytesOf(name, slots)).toBeLessThan(MAX_MESSAGE_BYTES - 1024);
    const fresh = restore(objects, many(2000));
    for (const id of ids) expect(fresh.questions[id]!.status).toBe(s.questions[id]!.status);
    expect(fresh.pinnedId).toBe(ids[2]);
  });

  it('changes one bucket when one question is moderated', () => {
    const s = many(500);
    const before = moderationObjects(s);
    const id = Object.keys(s.questions)[7]!;
    const after = moderationObjects(moderate(s, { action: 'dismiss', questionId: id }));
    const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
    expect(changed).toEqual([moderationBucketName(moderationBucketOf(id))]);
  });

  it('deletes the single statuses slot older engines wrote, and still reads it', () => {
    expect(moderationObjects(emptyQa())[QA_MODERATION_OBJECT]).toMatchObject({ statuses: null });
    expect(parseModerationRecord({ preModeration: false, pinnedId: null, statuses: { 'question-1': 'dismissed' } })!.statuses).toEqual({ 'question-1': 'dismissed' });
    expect(parseModerationRecord({ preModeration: true, pinnedId: null, buckets: 64 })).toEqual({ preModeration: true, pinnedId: null, statuses: {} });
  });

  it('carries statuses of questions not merged again yet, and reads only its own object names and statuses', () => {
    const objects = moderationObjects(emptyQa(), { 'question-9': 'dismissed' });
    expect(objects[moderationBucketName(moderationBucketOf('question-9'))]).toMatchObject({ dismissed: ['question-9'] });
    expect(parseModerationBucket({ dismissed: ['question-9', 3 as unknown as Json], hacked: ['question-1'], approved: 'x' })).toEqual({ 'question-9': 'dismissed' });
    expect([moderationBucketIndex('qa.moderation.0'), moderationBucketIndex('qa.moderation.64'), moderationBucketIndex('qa.moderation'), moderationBucketIndex('qa.moderation.x')]).toEqual([0, null, null, null]);
  });

  it('cuts a bucket that would not fit, keeping dismissed and answered questions first', () => {
    let s = emptyQa(false);
    // Ids that all land in one bucket, far more of them than it can hold.
    const ids: string[] = [];
    for (let i = 0; ids.length < 1200; i++) {
      const id = `q-${'y'.repeat(56)}-${String(i).padStart(5, '0')}`;
      if (moderationBucketOf(id) === 5) ids.push(id);
    }
    for (const id of ids) s = mergeQuestion(s, 'A', { id, text: 't', askedAt: 1, votes: 0 });
    s = moderate(s, { action: 'dismiss', questionId: ids[1100]! });
    const bucket = moderationObjects(s)[moderationBucketName(5)]!;
    expect(bytesOf('qa.moderation.5', bucket)).toBeLessThan(MAX_MESSAGE_BYTES - 1024);
    expect(bucket.dismissed).toEqual([ids[1100]]);
    expect((bucket.approved as string[]).length).toBeLessThan(1199);
  });
});

describe('ids that are Object.prototype property names, from a node that skips validation', () => {
  const reserved = ['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf'];

  it('merge as plain questions, votes and voters, and never reach Object.prototype', () => {
    let s = emptyQa();
    for (const id of reserved) s = mergeQuestion(s, 'A', q(id, 1));
    // Votes before their question (orphans), from a node whose id is reserved too.
    s = setNodeVotes(s, 'constructor', '__defineGetter__', 2, ['__proto__', 'constructor']);
    s = mergeQuestion(s, 'B', q('__defineGetter__'));
    for (const id of reserved) s = setNodeVotes(s, 'B', id, 2, ['__proto__', 'voter-0001']);
    // The same voters again through A: still two distinct voters per question.
    for (const id of reserved) s = setNodeVotes(s, 'A', id, 2, ['voter-0001', '__proto__']);
    expect(Object.keys(s.questions).sort()).toEqual([...reserved, '__defineGetter__'].sort());
    for (const id of reserved) {
      expect(s.questions[id]!.votes, id).toBe(2);
      expect({ ...s.questions[id]!.votesByNode }, id).toEqual({ A: 2, B: 2 });
      expect(s.voters!.get(id)!.ids.size, id).toBe(2);
    }
    expect(s.questions.__defineGetter__!.votes).toBe(2);
    expect(Object.keys(s.questions.__defineGetter__!.votesByNode).sort()).toEqual(['B', 'constructor']);
    expect(s.orphanVotes?.size ?? 0).toBe(0);
    expect(Object.getPrototypeOf(s.questions)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof ({} as { constructor: unknown }).constructor).toBe('function');
  });

  it('moderate, mirror and restore like any other id', () => {
    let s = emptyQa();
    for (const id of reserved) s = mergeQuestion(s, 'A', q(id));
    s = moderate(s, { action: 'dismiss', questionId: '__proto__' });
    s = moderate(s, { action: 'pin', questionId: 'constructor' });
    expect(moderate(s, { action: 'pin', questionId: 'propertyIsEnumerable' })).toBe(s);
    expect(moderate(s, { action: 'answer', questionId: '__lookupGetter__' })).toBe(s);
    const objects = JSON.parse(JSON.stringify(moderationObjects(s, new Map([['toLocaleString', 'answered']])))) as Record<string, Record<string, Json>>;
    let fresh = emptyQa();
    for (const id of [...reserved, 'toLocaleString']) fresh = mergeQuestion(fresh, 'B', q(id));
    for (const [name, slots] of Object.entries(objects)) {
      if (name === QA_MODERATION_OBJECT) fresh = restoreModeration(fresh, parseModerationRecord(slots)!);
      else if (moderationBucketIndex(name) !== null) fresh = restoreStatuses(fresh, parseModerationBucket(slots));
    }
    expect(fresh.questions.__proto__!.status).toBe('dismissed');
    expect(fresh.questions['toLocaleString']!.status).toBe('answered');
    expect(fresh.questions['constructor']!.status).toBe('approved');
    expect(fresh.pinnedId).toBe('constructor');
    expect(parseModerationRecord(JSON.parse('{"preModeration":false,"statuses":{"__proto__":"dismissed"}}') as Record<string, Json>)!.statuses.__proto__).toBe('dismissed');
  });

  it('in a whole qa.list merged by the engine do not throw', () => {
    const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
    try {
      plane.mergeList('node-a', {
        questions: reserved.map((id) => q(id, 1)),
        votes: JSON.parse('{"__proto__":1,"constructor":1,"toString":1}') as Record<string, number>,
        voters: JSON.parse('{"__proto__":["__proto__"],"constructor":["voter-0001"],"toString":["constructor"]}') as Record<string, string[]>,
      });
      expect(plane.questions.map((x) => x.id).sort()).toEqual([...reserved].sort());
      expect(plane.questions.find((x) => x.id === '__proto__')!.votes).toBe(1);
    } finally {
      plane.dispose();
    }
  });
});
