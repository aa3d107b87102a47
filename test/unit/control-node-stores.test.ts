import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { QaLog } from '../../app/control/qa-log.js';
import { nodeToClientSchema } from '../../common/control-protocol.js';
import { MAX_MESSAGE_BYTES } from '../../common/limits.js';
import { TokenBucket } from '../../app/control/rate-limit.js';
import { SharedObjectStore } from '../../app/control/so-store.js';
import { MODERATION_BUCKETS, QA_MODERATION_OBJECT, moderationBucketName } from '../../common/qa.js';

const log = pino({ level: 'silent' });
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'tandem-control-unit-'));

describe('token bucket', () => {
  it('allows the burst, then one per refill period', () => {
    let t = 0;
    const b = new TokenBucket(1, 0.1, () => t);
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    t = 9_999;
    expect(b.take()).toBe(false);
    t = 10_000;
    expect(b.take()).toBe(true);
  });
});

describe('Q&A log', () => {
  it('replays questions and votes after a restart and skips a torn last line', () => {
    const file = path.join(tmp(), 'questions.jsonl');
    const a = new QaLog(file, log, () => 1000);
    expect(a.ask('question-1', 'Why?', 'Ann').kind).toBe('new');
    expect(a.ask('question-1', 'Why?', 'Ann').kind).toBe('repeat');
    expect(a.vote('question-1', 'voter-001')).toEqual({ kind: 'new', votes: 1 });
    expect(a.vote('question-1', 'voter-001')).toEqual({ kind: 'repeat', votes: 1 });
    expect(a.vote('question-9', 'voter-002')).toEqual({ kind: 'new', votes: 1 });
    a.close();
    appendFileSync(file, '{"t":"q","q":{"id":"question-2","te');
    const b = new QaLog(file, log);
    expect(b.list()).toEqual([{ id: 'question-1', text: 'Why?', name: 'Ann', askedAt: 1000, votes: 1 }]);
    expect(b.allVotes()).toEqual({ 'question-1': 1, 'question-9': 1 });
    b.close();
  });
});

describe('Q&A log list pages', () => {
  it('pages 2,000 questions and their voter ids into messages under the limit that add up to the whole list', () => {
    const a = new QaLog(null, log, () => 1000);
    for (let i = 0; i < 2000; i++) a.ask(`question-${String(i).padStart(5, '0')}`, `${'Why '.repeat(40)}${i}?`, 'Ann');
    // One question with many voters, so its ids run over several pages.
    for (let v = 0; v < 3000; v++) a.vote('question-00007', `voter-${'v'.repeat(40)}-${v}`);
    a.vote('question-01999', 'voter-0001');
    const pages = a.listPages('L', MAX_MESSAGE_BYTES - 4096);
    expect(pages.length).toBeGreaterThan(5);
    const questions: string[] = [];
    const votes: Record<string, number> = {};
    const voters: Record<string, string[]> = {};
    pages.forEach((p, i) => {
      const text = JSON.stringify(p);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES - 4096);
      const m = nodeToClientSchema.parse(JSON.parse(text));
      if (m.type !== 'qa.list') throw new Error('not a list');
      expect([m.part, m.last]).toEqual([i, i === pages.length - 1]);
      questions.push(...m.questions.map((q) => q.id));
      Object.assign(votes, m.votes);
      for (const [q, ids] of Object.entries(m.voters ?? {})) (voters[q] ??= []).push(...ids);
    });
    expect(questions).toEqual(a.list().map((q) => q.id));
    expect(votes).toEqual(a.allVotes());
    expect(voters['question-00007']).toHaveLength(3000);
    expect(new Set(voters['question-00007']).size).toBe(3000);
    expect(voters['question-01999']).toEqual(['voter-0001']);
    a.close();
  });

  it('answers an empty log with one last page', () => {
    const a = new QaLog(null, log);
    expect(a.listPages('L', 60_000)).toEqual([{ type: 'qa.list', id: 'L', questions: [], votes: {}, voters: {}, part: 0, last: true }]);
  });
});

describe('shared-object store', () => {
  it('persists atomically and reloads; unchanged writes do not count', () => {
    const dir = tmp();
    const file = path.join(dir, 'shared-objects.json');
    const a = new SharedObjectStore(file, log);
    const r = a.write('banner', true, { title: 'Hi' });
    expect(typeof r !== 'string' && r.changed).toEqual(['title']);
    const again = a.write('banner', true, { title: 'Hi' });
    expect(typeof again !== 'string' && again.changed).toEqual([]);
    a.flush();
    expect(readdirSync(dir)).toEqual(['shared-objects.json']); // no temp file left behind
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ objects: { banner: { public: true, slots: { title: { version: 1, value: 'Hi' } } } } });
    const b = new SharedObjectStore(file, log);
    expect(b.get('banner')?.slots.title).toEqual({ version: 1, value: 'Hi' });
  });
});

describe('shared object store bounds', () => {
  const MAX_OBJECTS = 256;
  it('keeps 256 application objects besides the Q&A moderation mirror (qa.moderation and its 64 buckets)', () => {
    const store = new SharedObjectStore(null, log);
    // The moderation first, as an engine writes it early in a session.
    expect(typeof store.write(QA_MODERATION_OBJECT, false, { preModeration: false })).not.toBe('string');
    for (let n = 0; n < MODERATION_BUCKETS; n++) expect(typeof store.write(moderationBucketName(n), false, { approved: [`question-${n}`] }), `bucket ${n}`).not.toBe('string');
    for (let i = 0; i < MAX_OBJECTS; i++) expect(typeof store.write(`app-${i}`, true, { v: i }), `app-${i}`).not.toBe('string');
    expect(store.write('app-one-too-many', true, { v: 1 })).toBe(`At most ${MAX_OBJECTS} shared objects per node`);
    // Only the exact moderation names are exempt: a look-alike counts as an application object.
    expect(typeof store.write('qa.moderation.64', false, { v: 1 })).toBe('string');
    expect(typeof store.write('qa.moderation.07', false, { v: 1 })).toBe('string');
    // Existing objects still take writes at the bound.
    expect(typeof store.write('app-0', true, { v: 'again' })).not.toBe('string');
    expect(typeof store.write(moderationBucketName(3), false, { dismissed: ['question-3'] })).not.toBe('string');
    expect(store.entries()).toHaveLength(MAX_OBJECTS + MODERATION_BUCKETS + 1);
  });
});
