// The viewer page's Q&A without the DOM (app/viewer/src/qa-model.ts): asking (trimmed, cut to the
// shared limits, re-sent with the same id until acknowledged), voting once, the published list
// from the `qa` shared object, acknowledgements and errors, and which ids the page makes.
import { describe, expect, it } from 'vitest';
import { NOTE_SENDING, NOTE_SENT, QaModel } from '../../app/viewer/src/qa-model.js';
import { randomId, voterId } from '../../app/viewer/src/voter.js';
import { nodeToClientSchema, questionIdSchema, viewerToNodeSchema, voterIdSchema, type NodeToClient } from '../../common/control-protocol.js';
import { MAX_ASKER_NAME_CHARS, MAX_QUESTION_CHARS } from '../../common/limits.js';

const VOTER = 'v-0123456789abcdef';
const node = (m: unknown): NodeToClient => nodeToClientSchema.parse(m);
const sync = (value: unknown) => node({ type: 'so.sync', name: 'qa', changed: ['questions'], slots: { questions: { version: 1, value } } });

describe('viewer Q&A model', () => {
  it('asks with the text trimmed and both fields cut to the shared limits, in a message the node accepts', () => {
    const qa = new QaModel(VOTER);
    expect(qa.ask('   ', 'Ann', 'q-00000001')).toBeNull();
    const q = qa.ask(`  ${'x'.repeat(MAX_QUESTION_CHARS + 20)}  `, ` ${'n'.repeat(MAX_ASKER_NAME_CHARS + 5)} `, 'q-00000001')!;
    expect(q.text).toHaveLength(MAX_QUESTION_CHARS);
    expect(q.name).toHaveLength(MAX_ASKER_NAME_CHARS);
    expect(viewerToNodeSchema.safeParse(q).success).toBe(true);
    expect(qa.ask('Why?', '  ', 'q-00000002')).toEqual({ type: 'qa.ask', id: 'q-00000002', text: 'Why?' });
    expect(qa.note).toBe(NOTE_SENDING);
  });

  it('re-sends what was not acknowledged, and stops once the node stored it', () => {
    const qa = new QaModel(VOTER);
    qa.ask('One', '', 'q-00000001');
    qa.ask('Two', '', 'q-00000002');
    expect(qa.resend().map((q) => q.id)).toEqual(['q-00000001', 'q-00000002']);
    expect(qa.apply(node({ type: 'qa.asked', question: { id: 'q-00000001', text: 'One', askedAt: 1, votes: 0 } }))).toBe(true);
    expect(qa.note).toBe(NOTE_SENT);
    expect(qa.resend().map((q) => q.id)).toEqual(['q-00000002']);
    // Someone else's question stored: not this viewer's news.
    expect(qa.apply(node({ type: 'qa.asked', question: { id: 'q-99999999', text: 'Other', askedAt: 1, votes: 0 } }))).toBe(false);
  });

  it('shows a refusal and drops the question, except when rate-limited (sent again later)', () => {
    const qa = new QaModel(VOTER);
    qa.ask('Busy', '', 'q-00000001');
    qa.apply(node({ type: 'error', code: 'rate-limited', message: 'Slow down', ref: 'q-00000001' }));
    expect(qa.note).toBe('Slow down');
    expect(qa.resend()).toHaveLength(1);
    qa.apply(node({ type: 'error', code: 'bad-message', message: 'Questions are at most 500 characters', ref: 'q-00000001' }));
    expect(qa.note).toBe('Questions are at most 500 characters');
    expect(qa.resend()).toHaveLength(0);
  });

  it('votes once per question', () => {
    const qa = new QaModel(VOTER);
    const v = qa.vote('q-00000001');
    expect(v).toEqual({ type: 'qa.vote', questionId: 'q-00000001', voterId: VOTER });
    expect(viewerToNodeSchema.safeParse(v).success).toBe(true);
    expect(qa.vote('q-00000001')).toBeNull();
    expect(qa.hasVoted('q-00000001')).toBe(true);
    expect(qa.hasVoted('q-00000002')).toBe(false);
  });

  it('takes the published list from the qa object, pinned apart, and leaves out what is not a question', () => {
    const qa = new QaModel(VOTER);
    const a = { id: 'q-a', text: 'A?', votes: 3, answered: false, pinned: true };
    const b = { id: 'q-b', text: '<b>B</b>?', name: 'Bo', votes: 1, answered: true, pinned: false };
    expect(qa.apply(sync([a, null, 7, { id: 1, text: 'x' }, { id: 'q-c' }, b]))).toBe(true);
    expect(qa.questions).toEqual([a, b]);
    expect(qa.pinned).toEqual(a);
    expect(qa.unpinned).toEqual([b]);
    expect(qa.apply(sync('not a list'))).toBe(true);
    expect(qa.questions).toEqual([]);
  });

  it('ignores other shared objects and messages', () => {
    const qa = new QaModel(VOTER);
    expect(qa.apply(node({ type: 'so.sync', name: 'banner', changed: ['title'], slots: { title: { version: 1, value: 'Hi' } } }))).toBe(false);
    expect(qa.apply(node({ type: 'welcome', v: 1, role: 'viewer', nodeId: 'node-1' }))).toBe(false);
  });
});

describe('viewer ids', () => {
  it('makes question and voter ids the protocol accepts', () => {
    const q = randomId('q-');
    expect(q).toMatch(/^q-[0-9a-f]{24}$/);
    expect(questionIdSchema.safeParse(q).success).toBe(true);
    expect(randomId('q-')).not.toBe(q);
  });

  it('keeps the voter id in storage, replaces one that is not valid, and works without storage', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const id = voterId(storage);
    expect(voterIdSchema.safeParse(id).success).toBe(true);
    expect(voterId(storage)).toBe(id);
    store.set('tandem-voter', 'bad id!');
    expect(voterId(storage)).not.toBe('bad id!');
    const refusing = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => undefined };
    expect(voterIdSchema.safeParse(voterId(refusing)).success).toBe(true);
    expect(voterIdSchema.safeParse(voterId(null)).success).toBe(true);
  });
});
