// Capture failover on a fake engine: the window that went live with its capture owns it and is the
// only one heard; when that window goes away (even before setup has ended) the slate goes on air;
// another window going away changes nothing; a window can take the capture back while live.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { CaptureFailover } from '../../main/presenter/capture-failover.js';
import { LiveSession } from '../../main/presenter/live-session.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { NOT_LIVE } from '../../main/presenter/presenter-text.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { WindowRegistry } from '../../main/presenter/window-registry.js';
import { FakeConnection, RecordingClient } from '../support/studio-fakes.js';

const SLATE = { kind: 'slate', imagePath: '/brand/slate.png' };
const capture = (mimeType = 'video/webm') => ({ kind: 'capture' as const, mimeType });

async function make(setupMs = 0) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live/k' });
  const conn = new FakeConnection({}, setupMs);
  const windows = new WindowRegistry(silentLogger);
  const session = new LiveSession({ profile, createConnection: () => conn, logger: silentLogger });
  const failover = new CaptureFailover(session, windows, { slateImagePath: SLATE.imagePath, logger: silentLogger });
  return { conn, windows, session, failover };
}

describe('CaptureFailover', () => {
  it('gives the capture to the window that went live with it; the test pattern belongs to nobody', async () => {
    const { windows, session, failover, conn } = await make();
    windows.attach(new RecordingClient('w1'));
    await session.start(capture(), false, 'w1');
    expect([failover.isOwner('w1'), failover.isOwner('w2'), failover.isOwner(null)]).toEqual([true, false, false]);
    expect(failover.pushChunk('w2', new Uint8Array([1]))).toBe(false);
    expect(failover.pushChunk('w1', new Uint8Array([2]))).toBe(true);
    await session.stop('test');
    expect(failover.isOwner('w1')).toBe(false);
    expect(failover.pushChunk('w1', new Uint8Array([3]))).toBe(false);

    await session.start({ kind: 'test-pattern' }, false, 'w1');
    expect(failover.isOwner('w1')).toBe(false);
    expect(failover.pushChunk('w1', new Uint8Array([4]))).toBe(false);
    expect(conn.chunks.map((c) => [...c])).toEqual([[2]]);
    await session.stop('test');
  });

  it('puts the slate on air when the capture window went away during setup', async () => {
    const { windows, session, failover, conn } = await make(30);
    const w1 = windows.attach(new RecordingClient('w1'));
    session.onSetup(() => w1.dispose()); // the window closes while the servers are being checked
    expect((await session.start(capture(), false, 'w1')).live).toBe(true);
    expect(failover.isOwner('w1')).toBe(false);
    await expect.poll(() => conn.sources.at(-1), { timeout: 2000 }).toEqual(SLATE);
    await expect.poll(() => session.onAir, { timeout: 2000 }).toBe('slate');
    await session.stop('test');
  });

  it("changes nothing when another window goes away, or when the owner goes while nothing is live", async () => {
    const { windows, session, failover, conn } = await make();
    const w1 = windows.attach(new RecordingClient('w1'));
    windows.attach(new RecordingClient('w2')).dispose();
    await session.start(capture(), false, 'w1');
    const w2 = windows.attach(new RecordingClient('w2'));
    w2.dispose();
    expect(failover.isOwner('w1')).toBe(true);
    expect(session.onAir).toBe('capture');
    await session.stop('test');
    w1.dispose();
    await new Promise((r) => setImmediate(r));
    expect(conn.sources).toEqual([{ kind: 'chunks', mimeType: 'video/webm' }]);
  });

  it('lets another window take the capture while live, and refuses when not live', async () => {
    const { windows, session, failover, conn } = await make();
    await expect(failover.attach('w2', 'video/webm')).rejects.toMatchObject({ code: 'invalid-state', message: NOT_LIVE });
    windows.attach(new RecordingClient('w1'));
    windows.attach(new RecordingClient('w2'));
    await session.start({ kind: 'test-pattern' }, false, 'w1');
    await failover.attach('w2', 'video/x-matroska;codecs=avc1,opus');
    expect(session.onAir).toBe('capture');
    expect([failover.isOwner('w1'), failover.isOwner('w2')]).toEqual([false, true]);
    expect(failover.pushChunk('w1', new Uint8Array([1]))).toBe(false);
    expect(failover.pushChunk('w2', new Uint8Array([2]))).toBe(true);
    expect(conn.sources.at(-1)).toEqual({ kind: 'chunks', mimeType: 'video/x-matroska;codecs=avc1,opus' });
    await session.stop('test');
  });
});
