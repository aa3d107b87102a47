// The assembled presenter layer: what the presenter changes in the profile reaches every window,
// and shutdown refuses new windows, ends the session while the windows still listen, then lets go
// of every listener (nothing reaches a window afterwards); calling it twice is safe.
import { describe, expect, it } from 'vitest';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { APP_CLOSING } from '../../main/presenter/presenter-text.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { RecordingClient, fakePresenter } from '../support/studio-fakes.js';

const profileText = JSON.stringify({
  version: 1,
  name: 'Conference',
  servers: [{ id: 'n1', url: 'rtmp://127.0.0.1:1/live', streamKey: 'main' }],
  viewerUrls: ['http://127.0.0.1:8080/'],
});

async function make() {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  const { presenter: p, conns } = fakePresenter(profile, { mode: 'electron', version: '9.9.9', demo: true });
  const w = new RecordingClient('w1');
  p.windows.attach(w);
  return { p, profile, conns, w };
}

describe('Presenter', () => {
  it('tells every window about saved, removed and imported servers and profiles', async () => {
    const { p, profile, w } = await make();
    expect(p.info).toEqual({ mode: 'electron', version: '9.9.9', demo: true });
    await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live', streamKey: 'k' });
    expect(w.last('servers')?.map((s) => s.id)).toEqual(['a']);
    await profile.remove('a');
    expect(w.last('servers')).toEqual([]);
    await profile.importProfile(profileText);
    expect(w.last('profile')).toMatchObject({ name: 'Conference', viewerUrls: ['http://127.0.0.1:8080/'] });
    expect(w.last('servers')?.map((s) => s.id)).toEqual(['n1']);
    await p.shutdown();
  });

  it('shuts down: no new window, the session ends while windows listen, then nothing reaches them', async () => {
    const { p, profile, conns, w } = await make();
    await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live', streamKey: 'k' });
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    const seen = w.events.length;
    const closing = p.shutdown();
    expect(() => p.windows.attach(new RecordingClient('late'))).toThrow(APP_CLOSING);
    await closing;
    expect(w.events.slice(seen).filter((e) => e.event === 'session').map((e) => (e.payload as { state: string }).state)).toEqual(['stopping', 'idle']);
    expect(conns[0]!.stopped).toBe(1);
    const after = w.events.length;
    await profile.save({ id: 'b', url: 'rtmp://127.0.0.1:2/live', streamKey: 'k' });
    expect(w.events.length).toBe(after);
    await p.shutdown();
    expect(conns[0]!.stopped).toBe(1);
  });
});
