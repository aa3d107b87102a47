// Going live on a machine without ffmpeg: the presenter is told in words how to install it, and the
// app stays ready to try again (it was left "setting up" for good, with Stop greyed out).
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { FfmpegNotFoundError } from '../../main/engine/ffmpeg/find-ffmpeg.js';
import { IpcDispatcher } from '../../main/presenter/ipc-dispatch.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { FakeConnection, RecordingClient, fakePresenter } from '../support/studio-fakes.js';

describe('Go Live without ffmpeg', () => {
  it('says how to install ffmpeg, stays idle, and goes live once ffmpeg is there', async () => {
    const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
    await profile.save({ id: 'n1', url: 'rtmp://127.0.0.1:1/live/main' });
    let ffmpeg = false;
    const { presenter } = fakePresenter(profile, {
      createConnection: () => {
        if (!ffmpeg) throw new FfmpegNotFoundError(['TANDEM_FFMPEG (unset)', 'PATH']);
        return new FakeConnection();
      },
    });
    const w = new RecordingClient('w1');
    presenter.windows.attach(w);
    const d = new IpcDispatcher(presenterHandlers(presenter), silentLogger);
    const ctx = { clientId: 'w1' };
    const first = await d.dispatch('live.start', { source: { kind: 'test-pattern' }, requireAll: false }, ctx);
    expect(first).toMatchObject({ ok: false, code: 'ffmpeg-missing' });
    expect(first.ok ? '' : first.message).toContain('apt-get install ffmpeg');
    expect(presenter.session.isLive).toBe(false);
    expect(w.last('session')?.state ?? 'idle').toBe('idle');
    ffmpeg = true;
    expect(await d.dispatch('live.start', { source: { kind: 'test-pattern' }, requireAll: false }, ctx)).toMatchObject({ ok: true });
    expect(presenter.session.isLive).toBe(true);
    await presenter.shutdown();
  });
});
