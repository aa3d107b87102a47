// The engine host's session logic with a fake engine: setup then publish, going live with some
// servers down, capture ownership, and the slate when the capture window goes away.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { EngineHost, QA_NOT_LIVE } from '../../main/presenter/engine-host.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import type { SetupResult } from '../../common/streaming.js';
import { FakeConnection, RecordingClient } from '../support/studio-fakes.js';

async function make(results: Record<string, SetupResult> = {}, setupMs = 0) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live', streamKey: 'ka' });
  await profile.save({ id: 'b', url: 'rtmp://127.0.0.1:2/live/kb' });
  const conns: FakeConnection[] = [];
  const host = new EngineHost({
    profile,
    createConnection: () => {
      const c = new FakeConnection(results, setupMs);
      conns.push(c);
      return c;
    },
    slateImagePath: '/brand/slate.png',
    logger: silentLogger,
    mode: 'studio',
    version: 't',
    createStatsPoller: () => ({ start() {}, sample: () => ({ receivedBps: 8000, viewers: 3 }), dispose() {} }),
  });
  return { host, conns, h: host.handlers };
}

describe('EngineHost', () => {
  it('runs setup with full publish URLs, then goes live on the capture', async () => {
    const { host, conns, h } = await make();
    const w = new RecordingClient('w1');
    host.attach(w);
    const r = await h['live.start']({ source: { kind: 'capture', mimeType: 'video/x-matroska;codecs=avc1,opus' }, requireAll: false }, { clientId: 'w1' });
    expect(r.live).toBe(true);
    expect(r.message).toBe('Live on all 2 servers.');
    expect(conns[0]!.servers.map((s) => s.url)).toEqual(['rtmp://127.0.0.1:1/live/ka', 'rtmp://127.0.0.1:2/live/kb']);
    expect(conns[0]!.sources).toEqual([{ kind: 'chunks', mimeType: 'video/x-matroska;codecs=avc1,opus' }]);
    const view = host.view('w1');
    expect(view).toMatchObject({ state: 'live', onAir: 'capture', captureOwner: true });
    expect(view.tiles[0]).toMatchObject({ receivedBps: 8000, viewers: 3 });
    expect(w.last('session')?.state).toBe('live');
    await host.shutdown();
    expect(conns[0]!.stopped).toBe(1);
  });

  it('goes live with some servers down and says so; refuses when none is ready', async () => {
    const some = await make({ b: 'refused' });
    const r = await some.h['live.start']({ source: { kind: 'test-pattern' }, requireAll: false }, { clientId: 'x' });
    expect(r.live).toBe(true);
    expect(r.message).toMatch(/^Live on 1 of 2 servers\. Not ready: .*refused/);
    await some.host.shutdown();

    const strict = await make({ b: 'timeout' });
    const r2 = await strict.h['live.start']({ source: { kind: 'test-pattern' }, requireAll: true }, { clientId: 'x' });
    expect(r2).toMatchObject({ live: false });
    expect(r2.message).toMatch(/every server must be ready/);
    expect(strict.host.view(null).state).toBe('idle');
    expect(strict.conns[0]!.stopped).toBe(1);

    const none = await make({ a: 'refused', b: 'timeout' });
    const r3 = await none.h['live.start']({ source: { kind: 'test-pattern' }, requireAll: false }, { clientId: 'x' });
    expect(r3.live).toBe(false);
    expect(r3.setup.code).toBe('NetConnection.Setup.Failed');
  });

  it('hears chunks only from the window whose capture is on air', async () => {
    const { host, conns, h } = await make();
    host.attach(new RecordingClient('w1'));
    host.attach(new RecordingClient('w2'));
    await h['live.start']({ source: { kind: 'capture', mimeType: 'video/webm' }, requireAll: false }, { clientId: 'w1' });
    expect(host.pushChunk('w1', new Uint8Array([1, 2]))).toBe(true);
    expect(host.pushChunk('w2', new Uint8Array([3]))).toBe(false);
    expect(conns[0]!.chunks.map((c) => [...c])).toEqual([[1, 2]]);
    await host.shutdown();
  });

  it('puts the slate on air when the capture window goes away, and takes a re-attached capture back', async () => {
    const { host, conns, h } = await make();
    const first = host.attach(new RecordingClient('w1'));
    await h['live.start']({ source: { kind: 'capture', mimeType: 'video/webm' }, requireAll: false }, { clientId: 'w1' });
    let live = 0;
    host.onDidChangeLive((l) => (live += l ? 1 : -1));
    first.dispose(); // the renderer crashed
    await new Promise((r) => setTimeout(r, 30));
    expect(conns[0]!.sources.at(-1)).toEqual({ kind: 'slate', imagePath: '/brand/slate.png' });
    expect(host.view(null)).toMatchObject({ state: 'live', onAir: 'slate' });

    const w2 = new RecordingClient('w2');
    host.attach(w2);
    expect(w2.last('session')).toBeUndefined();
    const v = await h['session.get']({}, { clientId: 'w2' });
    expect(v).toMatchObject({ state: 'live', onAir: 'slate', captureOwner: false });
    const after = await h['capture.attach']({ mimeType: 'video/x-matroska;codecs=avc1,opus' }, { clientId: 'w2' });
    expect(after).toMatchObject({ onAir: 'capture', captureOwner: true });
    expect(conns[0]!.sources.at(-1)).toEqual({ kind: 'chunks', mimeType: 'video/x-matroska;codecs=avc1,opus' });
    expect(host.pushChunk('w2', new Uint8Array([9]))).toBe(true);
    expect(live).toBe(0);
    await h['live.stop']({}, { clientId: 'w2' });
    expect(live).toBe(-1);
    expect(host.view('w2')).toMatchObject({ state: 'idle', onAir: null, captureOwner: false });
  });

  it('refuses to go live twice and to import a profile while live', async () => {
    const { host, h } = await make();
    await h['live.start']({ source: { kind: 'test-pattern' }, requireAll: false }, { clientId: 'x' });
    await expect(h['live.start']({ source: { kind: 'test-pattern' }, requireAll: false }, { clientId: 'x' })).rejects.toMatchObject({ code: 'invalid-state' });
    await expect(h['profile.import']({ text: '{}' }, { clientId: 'x' })).rejects.toMatchObject({ code: 'invalid-state' });
    await host.shutdown();
    await host.shutdown();
  });

  it('stopping during setup ends that attempt without going live', async () => {
    const { host, conns, h } = await make({}, 50);
    const starting = h['live.start']({ source: { kind: 'test-pattern' }, requireAll: false }, { clientId: 'x' });
    await new Promise((r) => setTimeout(r, 10));
    expect(host.view(null).state).toBe('setting-up');
    await h['live.stop']({}, { clientId: 'x' });
    await expect(starting).rejects.toMatchObject({ code: 'invalid-state' });
    expect(host.view(null).state).toBe('idle');
    expect(conns[0]!.sources).toEqual([]);
    expect(conns[0]!.stopped).toBeGreaterThanOrEqual(1);
    // A new session starts cleanly afterwards.
    expect((await h['live.start']({ source: { kind: 'test-pattern' }, requireAll: false }, { clientId: 'x' })).live).toBe(true);
    expect(host.view(null).state).toBe('live');
    await host.shutdown();
  });

  it('says the Q&A is not available before going live', async () => {
    const { h } = await make();
    expect(await h['qa.get']({}, { clientId: 'x' })).toEqual({ available: false, message: QA_NOT_LIVE, preModeration: false, banner: '', slideTitle: '', questions: [] });
  });
});
