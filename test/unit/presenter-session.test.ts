// The presenter layer's session logic with a fake engine: setup then publish, going live with some
// servers down, capture ownership, and the slate when the capture window goes away. The services
// are called as the shells call them; `session.get` and `profile.import` go through the IPC table.
import { describe, expect, it } from 'vitest';
import type { SetupResult } from '../../common/streaming.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { QA_NOT_LIVE } from '../../main/presenter/presenter-text.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { RecordingClient, fakePresenter } from '../support/studio-fakes.js';

async function make(results: Record<string, SetupResult> = {}, setupMs = 0) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live', streamKey: 'ka' });
  await profile.save({ id: 'b', url: 'rtmp://127.0.0.1:2/live/kb' });
  const { presenter: p, conns } = fakePresenter(profile, {
    results,
    setupMs,
    slateImagePath: '/brand/slate.png',
    createStatsPoller: () => ({ start() {}, sample: () => ({ receivedBps: 8000, viewers: 3 }), dispose() {} }),
  });
  return { p, conns, h: presenterHandlers(p) };
}

describe('presenter session', () => {
  it('runs setup with full publish URLs, then goes live on the capture', async () => {
    const { p, conns } = await make();
    const w = new RecordingClient('w1');
    p.windows.attach(w);
    const r = await p.session.start({ kind: 'capture', mimeType: 'video/x-matroska;codecs=avc1,opus' }, false, 'w1');
    expect(r.live).toBe(true);
    expect(r.message).toBe('Both servers are reachable: going live.');
    expect(conns[0]!.servers.map((s) => s.url)).toEqual(['rtmp://127.0.0.1:1/live/ka', 'rtmp://127.0.0.1:2/live/kb']);
    expect(conns[0]!.sources).toEqual([{ kind: 'chunks', mimeType: 'video/x-matroska;codecs=avc1,opus' }]);
    const view = p.views.view('w1');
    expect(view).toMatchObject({ state: 'live', onAir: 'capture', captureOwner: true });
    expect(view.tiles[0]).toMatchObject({ receivedBps: 8000, viewers: 3 });
    expect(w.last('session')?.state).toBe('live');
    await p.shutdown();
    expect(conns[0]!.stopped).toBe(1);
  });

  it('goes live with some servers down and says so; refuses when none is ready', async () => {
    const some = await make({ b: 'refused' });
    const r = await some.p.session.start({ kind: 'test-pattern' }, false, 'x');
    expect(r.live).toBe(true);
    expect(r.message).toMatch(/^1 of 2 servers are reachable: going live\. Not reachable: .*refused/);
    await some.p.shutdown();

    const strict = await make({ b: 'timeout' });
    const r2 = await strict.p.session.start({ kind: 'test-pattern' }, true, 'x');
    expect(r2).toMatchObject({ live: false });
    expect(r2.message).toMatch(/every server must be reachable/);
    expect(strict.p.views.view(null).state).toBe('idle');
    expect(strict.conns[0]!.stopped).toBe(1);

    const none = await make({ a: 'refused', b: 'timeout' });
    const r3 = await none.p.session.start({ kind: 'test-pattern' }, false, 'x');
    expect(r3.live).toBe(false);
    expect(r3.setup.code).toBe('NetConnection.Setup.Failed');
  });

  it('hears chunks only from the window whose capture is on air', async () => {
    const { p, conns } = await make();
    p.windows.attach(new RecordingClient('w1'));
    p.windows.attach(new RecordingClient('w2'));
    await p.session.start({ kind: 'capture', mimeType: 'video/webm' }, false, 'w1');
    expect(p.capture.pushChunk('w1', new Uint8Array([1, 2]))).toBe(true);
    expect(p.capture.pushChunk('w2', new Uint8Array([3]))).toBe(false);
    expect(conns[0]!.chunks.map((c) => [...c])).toEqual([[1, 2]]);
    await p.shutdown();
  });

  it('puts the slate on air when the capture window goes away, and takes a re-attached capture back', async () => {
    const { p, conns, h } = await make();
    const first = p.windows.attach(new RecordingClient('w1'));
    await p.session.start({ kind: 'capture', mimeType: 'video/webm' }, false, 'w1');
    let live = 0;
    p.session.onLive((l) => (live += l ? 1 : -1));
    first.dispose(); // the renderer crashed
    await expect.poll(() => conns[0]!.sources.at(-1), { timeout: 2000 }).toEqual({ kind: 'slate', imagePath: '/brand/slate.png' });
    await expect.poll(() => p.views.view(null), { timeout: 2000 }).toMatchObject({ state: 'live', onAir: 'slate' });

    const w2 = new RecordingClient('w2');
    p.windows.attach(w2);
    expect(w2.last('session')).toBeUndefined();
    const v = await h['session.get']({}, { clientId: 'w2' });
    expect(v).toMatchObject({ state: 'live', onAir: 'slate', captureOwner: false });
    await p.capture.attach('w2', 'video/x-matroska;codecs=avc1,opus');
    expect(p.views.view('w2')).toMatchObject({ onAir: 'capture', captureOwner: true });
    expect(conns[0]!.sources.at(-1)).toEqual({ kind: 'chunks', mimeType: 'video/x-matroska;codecs=avc1,opus' });
    expect(p.capture.pushChunk('w2', new Uint8Array([9]))).toBe(true);
    expect(live).toBe(0);
    await p.session.stop('test');
    expect(live).toBe(-1);
    expect(p.views.view('w2')).toMatchObject({ state: 'idle', onAir: null, captureOwner: false });
  });

  it('refuses to go live twice and to import a profile while live', async () => {
    const { p, h } = await make();
    await p.session.start({ kind: 'test-pattern' }, false, 'x');
    await expect(p.session.start({ kind: 'test-pattern' }, false, 'x')).rejects.toMatchObject({ code: 'invalid-state' });
    await expect(h['profile.import']({ text: '{}' }, { clientId: 'x' })).rejects.toMatchObject({ code: 'invalid-state' });
    await p.shutdown();
    await p.shutdown();
  });

  it('stopping during setup ends that attempt without going live', async () => {
    const { p, conns } = await make({}, 50);
    // Waits for setup to begin (an event, not a sleep): the stop lands while the engine connects.
    const settingUp = new Promise<void>((resolve) => p.session.onSetup(() => resolve()));
    const starting = p.session.start({ kind: 'test-pattern' }, false, 'x');
    await settingUp;
    expect(p.views.view(null).state).toBe('setting-up');
    await p.session.stop('test');
    await expect(starting).rejects.toMatchObject({ code: 'invalid-state' });
    expect(p.views.view(null).state).toBe('idle');
    expect(conns[0]!.sources).toEqual([]);
    expect(conns[0]!.stopped).toBeGreaterThanOrEqual(1);
    // A new session starts cleanly afterwards.
    expect((await p.session.start({ kind: 'test-pattern' }, false, 'x')).live).toBe(true);
    expect(p.views.view(null).state).toBe('live');
    await p.shutdown();
  });

  it('says the Q&A is not available before going live', async () => {
    const { p } = await make();
    expect(p.qa.view()).toEqual({ available: false, message: QA_NOT_LIVE, preModeration: false, banner: '', slideTitle: '', questions: [], previousExportable: false });
  });
});
