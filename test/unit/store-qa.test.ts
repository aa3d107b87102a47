// The qa slice against the real engine host (fake engine): the merged list follows the host's `qa`
// events as a new array each time, moderation / pre-moderation / export / shared objects / cues go
// through the contract, and refusals land in `qaError` in words.
import { describe, expect, it } from 'vitest';
import { bindStore, createAppStore } from '../../renderer/src/store/app-store.js';
import { sortQuestions, type QaQuestion } from '../../renderer/src/store/qa-slice.js';
import { fakeApi } from '../support/studio-fake-api.js';

const TOKEN = 'presenter-token-0123456789abcdef';

async function live(withControl = true) {
  const api = fakeApi();
  const store = createAppStore(api);
  const unbind = await bindStore(store, api);
  await store.getState().saveServer({ id: 'n1', url: 'rtmp://h/live/1', ...(withControl ? { controlUrl: 'http://127.0.0.1:8080', token: TOKEN } : {}) });
  await store.getState().saveServer({ id: 'plain', url: 'rtmp://g/live/2' });
  expect((await store.getState().goLive({ kind: 'test-pattern' }))?.live).toBe(true);
  return { api, store, unbind, control: () => api.conns[0]!.control };
}

describe('qa slice', () => {
  it('follows the merged list from the host, a new array on every update', async () => {
    const { api, store, control, unbind } = await live();
    expect(store.getState().qa).toMatchObject({ available: true, questions: [] });
    const first = store.getState().qa!.questions;
    control().ask('n1', { id: 'q-111111111', text: 'first?', votes: 1, askedAt: 1 });
    await expect.poll(() => store.getState().qa?.questions.length, { timeout: 2000 }).toBe(1);
    const second = store.getState().qa!.questions;
    expect(second).not.toBe(first);
    control().ask('plain', { id: 'q-222222222', text: 'second?', votes: 5, askedAt: 2 });
    await expect.poll(() => store.getState().qa?.questions.length, { timeout: 2000 }).toBe(2);
    expect(store.getState().qa!.questions).not.toBe(second);
    expect(sortQuestions(store.getState().qa!.questions, 'votes').map((q) => q.text)).toEqual(['second?', 'first?']);
    unbind();
    await api.host.shutdown();
  });

  it('moderates, pins, switches pre-moderation and exports through the contract', async () => {
    const { api, store, control } = await live();
    control().ask('n1', { id: 'q-111111111', text: 'why?', askedAt: 1 });
    expect(await store.getState().moderate('q-111111111', 'pin')).toBe(true);
    // The result is applied at once, not only when the event arrives.
    expect(store.getState().qa?.questions[0]).toMatchObject({ id: 'q-111111111', pinned: true, status: 'approved' });
    expect(await store.getState().moderate('q-111111111', 'dismiss')).toBe(true);
    expect(store.getState().qa?.questions[0]).toMatchObject({ pinned: false, status: 'dismissed' });
    expect(await store.getState().setPremoderation(true)).toBe(true);
    expect(store.getState().qa?.preModeration).toBe(true);
    control().ask('n1', { id: 'q-333333333', text: 'held', askedAt: 3 });
    await expect.poll(() => store.getState().qa?.questions.find((q) => q.id === 'q-333333333')?.status, { timeout: 2000 }).toBe('pending');
    const file = await store.getState().exportQa('json');
    expect(file?.filename).toMatch(/^questions-.*\.json$/);
    expect(JSON.parse(file!.text).questions.map((q: { text: string }) => q.text)).toEqual(['why?', 'held']);
    // A refused call (unknown question id shape) says why and changes nothing.
    expect(await store.getState().moderate('bad id', 'pin')).toBe(false);
    expect(store.getState().qaError).toMatch(/id/);
    expect(await store.getState().moderate('q-333333333', 'approve')).toBe(true);
    expect(store.getState().qaError).toBeNull();
    await api.host.shutdown();
  });

  it('sets shared objects and sends cues; refuses them, in words, without a control session', async () => {
    const ok = await live();
    expect(await ok.store.getState().setShared('banner', 'title', 'Welcome')).toBe(true);
    expect(ok.store.getState().sharedSent.get('banner/title')).toBe('Welcome');
    expect(ok.control().so('banner', 'title')).toBe('Welcome');
    const before = ok.store.getState().sharedSent;
    expect(await ok.store.getState().setShared('slide', 'title', 'Results')).toBe(true);
    expect(ok.store.getState().sharedSent).not.toBe(before);
    expect(await ok.store.getState().sendCue('slide', { title: 'Results' })).toBe(true);
    expect(ok.store.getState().lastCue).toEqual({ id: 'cue-1', name: 'slide' });
    expect(ok.control().cues[0]).toMatchObject({ kind: 'slide', data: { title: 'Results' } });
    await ok.api.host.shutdown();

    const none = await live(false);
    expect(none.store.getState().qa).toMatchObject({ available: false });
    expect(await none.store.getState().setShared('banner', 'title', 'x')).toBe(false);
    expect(none.store.getState().qaError).toMatch(/control session/);
    expect(await none.store.getState().sendCue('slide', 'x')).toBe(false);
    expect(none.control().cues).toEqual([]);
    await none.api.host.shutdown();
  });

  it('sorts pinned first, then by votes or newest, without touching the input', () => {
    const q = (id: string, votes: number, askedAt: number, pinned = false): QaQuestion => ({ id, text: id, author: null, votes, askedAt, status: 'approved', pinned, servers: [] });
    const qs = [q('a', 1, 1), q('b', 9, 2), q('c', 0, 3, true), q('d', 9, 1)];
    expect(sortQuestions(qs, 'votes').map((x) => x.id)).toEqual(['c', 'd', 'b', 'a']);
    expect(sortQuestions(qs, 'time').map((x) => x.id)).toEqual(['c', 'b', 'a', 'd']);
    expect(qs.map((x) => x.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
