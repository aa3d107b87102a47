// The Q&A panel's service on a fake control plane (the real merge and moderation rules): what it
// says in each state, one push per burst of questions, nothing pushed after a session ended, the
// last session's questions kept for export until the next session, and pre-moderation carried over.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { QA_ENDED, QA_NOTHING_TO_EXPORT, QA_NO_CONTROL, QA_NOT_LIVE, qaFromNodes } from '../../main/presenter/presenter-text.js';
import { QA_PUSH_MS } from '../../main/presenter/qa-view.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { RecordingClient, fakePresenter } from '../support/studio-fakes.js';

const TOKEN = 'presenter-token-0123456789abcdef';
const qid = (n: number) => `q-${String(n).padStart(12, '0')}`;

async function make(controlNodes: number) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'plain', url: 'rtmp://127.0.0.1:1/live/k' });
  for (let i = 1; i <= controlNodes; i++) await profile.save({ id: `n${i}`, url: `rtmp://127.0.0.1:${i + 1}/live/main`, controlUrl: `http://127.0.0.1:${8080 + i}`, token: TOKEN });
  const { presenter: p, conns } = fakePresenter(profile, { now: () => Date.UTC(2026, 10, 24, 22, 15) });
  const w = new RecordingClient('w1');
  p.windows.attach(w);
  const qaEvents = () => w.events.filter((e) => e.event === 'qa').length;
  return { p, conns, w, qaEvents };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('QaView', () => {
  it('says where questions come from, or why there are none', async () => {
    for (const [nodes, live] of [
      [0, QA_NO_CONTROL],
      [1, 'Questions from 1 Tandem node.'],
      [2, qaFromNodes(2)],
    ] as const) {
      const { p } = await make(nodes);
      expect(p.qa.view()).toMatchObject({ available: false, message: QA_NOT_LIVE });
      await p.session.start({ kind: 'test-pattern' }, false, 'w1');
      expect(p.qa.view()).toMatchObject({ available: nodes > 0, message: live });
      await p.session.stop('test');
      expect(p.qa.view()).toMatchObject({ available: false, message: QA_ENDED });
      await p.shutdown();
    }
    expect(qaFromNodes(2)).toBe('Questions from 2 Tandem nodes.');
  });

  it('pushes a burst of questions to the windows once', async () => {
    const { p, conns, w, qaEvents } = await make(1);
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    const before = qaEvents();
    for (let i = 1; i <= 20; i++) conns[0]!.control.ask('n1', { id: qid(i), text: `question ${i}`, askedAt: i });
    await expect.poll(() => w.last('qa')?.questions.length, { timeout: 2000 }).toBe(20);
    expect(qaEvents()).toBe(before + 1);
    await p.shutdown();
  });

  it('pushes nothing after the session ended, and keeps its questions for export until the next session', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { p, conns, w, qaEvents } = await make(1);
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    conns[0]!.control.ask('n1', { id: qid(1), text: 'first', askedAt: 1 }); // a coalesced push is pending
    await p.session.stop('test');
    const afterStop = qaEvents();
    expect(w.last('qa')).toMatchObject({ available: false, message: QA_ENDED, questions: [{ id: qid(1) }] });
    vi.advanceTimersByTime(QA_PUSH_MS * 10);
    expect(qaEvents()).toBe(afterStop);
    const csv = p.qa.export('csv');
    expect(csv).toMatchObject({ format: 'csv', filename: 'questions-2026-11-24T22-15.csv', mimeType: 'text/csv' });
    expect(csv.text).toContain('first');

    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    expect(p.qa.view().questions).toEqual([]);
    expect(JSON.parse(p.qa.export('json').text).questions).toEqual([]);
    await p.shutdown();
  });

  it('refuses to export before any session, in words', async () => {
    const { p } = await make(1);
    expect(() => p.qa.export('json')).toThrow(expect.objectContaining({ code: 'invalid-state', message: QA_NOTHING_TO_EXPORT }));
    await p.shutdown();
  });

  it('applies pre-moderation at once while live and to every next session', async () => {
    const { p, conns } = await make(1);
    expect(p.qa.setPreModeration(true)).toMatchObject({ preModeration: true, available: false });
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    expect(conns[0]!.control.qaState.preModeration).toBe(true);
    p.qa.setPreModeration(false);
    expect(conns[0]!.control.qaState.preModeration).toBe(false);
    await p.session.stop('test');
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    expect(conns[1]!.control.moderations).toEqual([{ action: 'pre-moderation', on: false }]);
    await p.shutdown();
  });
});
