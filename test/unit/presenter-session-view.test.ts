// What each window is shown of the session: its own capture ownership, one tile per server, the
// encoder's state, a fresh view on every change and once a second while live (bitrates, uptime),
// and no refresh once the session has ended.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { RecordingClient, fakePresenter } from '../support/studio-fakes.js';

async function make() {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live/k' });
  await profile.save({ id: 'b', url: 'rtmp://127.0.0.1:2/live/k' });
  const { presenter: p, conns } = fakePresenter(profile);
  const w1 = new RecordingClient('w1');
  const w2 = new RecordingClient('w2');
  p.windows.attach(w1);
  p.windows.attach(w2);
  const views = (w: RecordingClient) => w.events.filter((e) => e.event === 'session').length;
  return { p, conns, w1, w2, views };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SessionViews', () => {
  it("tells each window whether the capture on air is its own, with one tile per server", async () => {
    const { p, w1, w2 } = await make();
    await p.session.start({ kind: 'capture', mimeType: 'video/webm' }, false, 'w1');
    expect(w1.last('session')).toMatchObject({ state: 'live', onAir: 'capture', captureOwner: true });
    expect(w2.last('session')).toMatchObject({ state: 'live', onAir: 'capture', captureOwner: false });
    expect(w1.last('session')?.tiles.map((t) => t.snapshot.id)).toEqual(['a', 'b']);
    expect(p.views.view(null)).toMatchObject({ captureOwner: false, startedAt: expect.any(Number) });
    await p.shutdown();
    expect(w1.last('session')).toMatchObject({ state: 'idle', onAir: null, captureOwner: false, tiles: [] });
  });

  it("shows the encoder's state and every server status change as it happens", async () => {
    const { p, conns, w1, views } = await make();
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    const before = views(w1);
    conns[0]!.encoderStatus({ state: 'restarting', message: 'ffmpeg exited; restarting' });
    expect(w1.last('session')?.encoder).toEqual({ state: 'restarting', message: 'ffmpeg exited; restarting' });
    conns[0]!.serverStatus(conns[0]!.snapshots()[0]!);
    expect(views(w1)).toBe(before + 2);
    await p.shutdown();
    expect(p.views.view(null).encoder).toBeNull();
  });

  it('refreshes every window once a second while live, and stops refreshing when the session ends', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { p, w1, w2, views } = await make();
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    const live = [views(w1), views(w2)];
    vi.advanceTimersByTime(3000);
    expect([views(w1), views(w2)]).toEqual([live[0]! + 3, live[1]! + 3]);
    await p.session.stop('test');
    const ended = views(w1);
    vi.advanceTimersByTime(5000);
    expect(views(w1)).toBe(ended);
    await p.shutdown();
  });
});
