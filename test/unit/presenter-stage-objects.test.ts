// Stage objects on a fake control plane (a real ControlPlane's shared-object rules): what viewers
// see beside the video is set only while live with a control session, a change is announced once
// (the Q&A panel shows the banner), an object too large for the nodes is refused in words, and
// cues come back stamped on the engine's clock.
import { describe, expect, it } from 'vitest';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { DOING, needsControl, needsLive, objectTooLarge } from '../../main/presenter/presenter-text.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { fakePresenter } from '../support/studio-fakes.js';

const TOKEN = 'presenter-token-0123456789abcdef';

async function make(control = true) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'n1', url: 'rtmp://127.0.0.1:1/live/main', ...(control ? { controlUrl: 'http://127.0.0.1:8080', token: TOKEN } : {}) });
  const { presenter: p, conns } = fakePresenter(profile);
  const changed: string[] = [];
  p.stage.onChange((object) => changed.push(object));
  return { p, conns, changed };
}

describe('StageObjects', () => {
  it('refuses while not live, and without a control session, saying why', async () => {
    const idle = await make();
    expect(() => idle.p.stage.set('banner', 'title', 'Hi')).toThrow(needsLive(DOING.stage));
    expect(() => idle.p.stage.sendCue('slide', {})).toThrow(needsLive(DOING.cues));
    expect(idle.p.stage.title('banner')).toBe('');

    const plain = await make(false);
    await plain.p.session.start({ kind: 'test-pattern' }, false, 'w');
    expect(() => plain.p.stage.set('banner', 'title', 'Hi')).toThrow(needsControl(DOING.stage));
    expect(() => plain.p.stage.sendCue('slide', {})).toThrow(needsControl(DOING.cues));
    expect(plain.changed).toEqual([]);
    await plain.p.shutdown();
  });

  it('sets an object slot, announces a change once, and shows its title', async () => {
    const { p, changed } = await make();
    await p.session.start({ kind: 'test-pattern' }, false, 'w');
    expect(p.stage.set('banner', 'title', 'Welcome')).toEqual({ object: 'banner', slot: 'title', changed: true });
    expect(p.stage.set('banner', 'title', 'Welcome')).toEqual({ object: 'banner', slot: 'title', changed: false });
    expect(p.stage.set('slide', 'page', 3)).toEqual({ object: 'slide', slot: 'page', changed: true });
    expect(changed).toEqual(['banner', 'slide']);
    expect(p.stage.title('banner')).toBe('Welcome');
    expect(p.stage.title('slide')).toBe(''); // no title slot
    p.stage.set('slide', 'title', 42);
    expect(p.stage.title('slide')).toBe(''); // a title that is not text is not shown as one
    await p.session.stop('test');
    expect(p.stage.title('banner')).toBe('');
    await p.shutdown();
  });

  it('refuses an object the nodes could not take in one message, in words', async () => {
    const { p } = await make();
    await p.session.start({ kind: 'test-pattern' }, false, 'w');
    let refused: unknown = null;
    for (let i = 0; i < 200 && !refused; i++) {
      try {
        p.stage.set('notes', `s${i}`, 'x'.repeat(500));
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toMatchObject({ code: 'invalid-args', message: objectTooLarge('notes') });
    await p.shutdown();
  });

  it('sends cues stamped with the stream time', async () => {
    const { p, conns } = await make();
    await p.session.start({ kind: 'test-pattern' }, false, 'w');
    conns[0]!.streamTimeMs = 5000;
    expect(p.stage.sendCue('slide', { title: 'Results' })).toEqual({ id: 'cue-1', streamTimeMs: 5000 });
    expect(conns[0]!.control.cues).toEqual([{ id: 'cue-1', streamTimeMs: 5000, kind: 'slide', data: { title: 'Results' } }]);
    await p.shutdown();
  });
});
