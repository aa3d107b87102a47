// The live slice: Go Live with all / some / no servers ready, the sparkline history, Stop with
// confirmation, and the Q&A sort.
import { describe, expect, it } from 'vitest';
import { bindStore, createAppStore } from '../../renderer/src/store/app-store.js';
import { HISTORY_LENGTH } from '../../renderer/src/store/live-slice.js';
import { sortQuestions } from '../../renderer/src/store/qa-slice.js';
import { fakeApi } from '../support/studio-fake-api.js';

async function withServers(results: Parameters<typeof fakeApi>[0] = {}) {
  const api = fakeApi(results);
  const store = createAppStore(api);
  await bindStore(store, api);
  await store.getState().saveServer({ id: 'a', url: 'rtmp://h/live/1' });
  await store.getState().saveServer({ id: 'b', url: 'rtmp://g/live/2' });
  return { api, store };
}

describe('live slice', () => {
  it('goes live, following the host’s session events', async () => {
    const { api, store } = await withServers();
    const r = await store.getState().goLive({ kind: 'capture', mimeType: 'video/webm' });
    expect(r?.live).toBe(true);
    expect(store.getState().busy).toBe(false);
    expect(store.getState().session).toMatchObject({ state: 'live', onAir: 'capture', captureOwner: true });
    expect(store.getState().session?.tiles.map((t) => t.snapshot.id)).toEqual(['a', 'b']);
    await api.host.shutdown();
  });

  it('goes live with a server down and says so; shows why when nothing is ready', async () => {
    const some = await withServers({ b: 'refused' });
    const r = await some.store.getState().goLive({ kind: 'test-pattern' });
    expect(r?.message).toMatch(/^1 of 2 servers are reachable: going live/);
    expect(some.store.getState().liveError).toBeNull();
    await some.api.host.shutdown();

    const none = await withServers({ a: 'timeout', b: 'refused' });
    const r2 = await none.store.getState().goLive({ kind: 'test-pattern' });
    expect(r2?.live).toBe(false);
    expect(none.store.getState().liveError).toMatch(/^Not live: no server is reachable/);
    expect(none.store.getState().session?.state).toBe('idle');
  });

  it('keeps a bounded bitrate history per server, as a new Map each time', async () => {
    const { api, store } = await withServers();
    await store.getState().goLive({ kind: 'test-pattern' });
    const before = store.getState().history;
    for (let i = 0; i < HISTORY_LENGTH + 10; i++) store.getState().applySession(api.host.views.view('w1'));
    const after = store.getState().history;
    expect(after).not.toBe(before);
    expect(after.get('a')).toHaveLength(HISTORY_LENGTH);
    await api.host.shutdown();
  });

  it('asks before stopping, and stops on confirmation', async () => {
    const { api, store } = await withServers();
    store.getState().askStop();
    expect(store.getState().confirmingStop).toBe(false); // nothing to stop
    await store.getState().goLive({ kind: 'test-pattern' });
    store.getState().askStop();
    expect(store.getState().confirmingStop).toBe(true);
    store.getState().cancelStop();
    expect(store.getState().session?.state).toBe('live');
    store.getState().askStop();
    await store.getState().stop();
    expect(store.getState().confirmingStop).toBe(false);
    expect(store.getState().session?.state).toBe('idle');
    expect(api.conns[0]!.stopped).toBe(1);
  });

  it('sorts questions pinned first, then by votes or time', () => {
    const q = (id: string, votes: number, askedAt: number, pinned = false) => ({ id, text: id, author: null, votes, askedAt, status: 'approved' as const, pinned, servers: [] });
    const qs = [q('a', 1, 1), q('b', 5, 2), q('c', 0, 3, true)];
    expect(sortQuestions(qs, 'votes').map((x) => x.id)).toEqual(['c', 'b', 'a']);
    expect(sortQuestions([q('a', 9, 1), q('b', 0, 2)], 'time').map((x) => x.id)).toEqual(['b', 'a']);
  });
});
