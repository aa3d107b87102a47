// The dispatcher is the only door into the presenter layer: unknown channels, malformed payloads and
// handler errors all come back as `{ ok: false, code, message }`, never as a throw or a secret.
import { describe, expect, it } from 'vitest';
import { IpcDispatcher } from '../../main/presenter/ipc-dispatch.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import { Presenter } from '../../main/presenter/presenter.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { FakeConnection } from '../support/studio-fakes.js';

function setup() {
  const secrets = new MemorySecretStore();
  const profile = new PresenterProfile(new MemorySettingsStore(), secrets);
  const presenter = new Presenter({ profile, createConnection: () => new FakeConnection(), slateImagePath: '/x.png', logger: silentLogger, mode: 'studio', version: 't' });
  const handlers = presenterHandlers(presenter);
  return { handlers, secrets, d: new IpcDispatcher(handlers, silentLogger) };
}
const ctx = { clientId: 'c1' };

describe('IpcDispatcher', () => {
  it('refuses channels outside the contract', async () => {
    const { d } = setup();
    for (const ch of ['nope', '__proto__', 'constructor', 42, null]) {
      expect(await d.dispatch(ch, {}, ctx)).toMatchObject({ ok: false, code: 'unknown-channel' });
    }
  });

  it('refuses payloads that do not match the schema, saying where', async () => {
    const { d } = setup();
    const bad = [
      ['servers.save', { id: 'a', url: 'http://example.com/live' }, 'url'],
      ['servers.save', { id: 'a b', url: 'rtmp://h/live' }, 'id'],
      ['servers.save', { id: 'a', url: 'rtmp://h' }, 'url'],
      ['servers.save', { id: 'a', url: 'rtmp://h/live', controlUrl: 'javascript:alert(1)' }, 'controlUrl'],
      ['servers.save', { id: 'a', url: 'rtmp://h/live', extra: true }, ''],
      ['servers.remove', { id: '' }, 'id'],
      ['live.start', { source: { kind: 'camera' } }, 'source'],
      ['live.start', { source: { kind: 'capture', mimeType: 'x'.repeat(500) } }, 'source'],
      ['session.get', { sneaky: 1 }, ''],
      ['profile.import', { text: 5 }, 'text'],
    ] as const;
    for (const [ch, args, field] of bad) {
      const r = await d.dispatch(ch, args, ctx);
      expect(r, `${ch} ${JSON.stringify(args)}`).toMatchObject({ ok: false, code: 'invalid-args' });
      if (!r.ok && field) expect(r.issues?.[0]?.path[0]).toBe(field);
    }
  });

  it('accepts a valid payload and returns the value, without secrets', async () => {
    const { d, secrets } = setup();
    const r = await d.dispatch('servers.save', { id: 'a', url: 'rtmp://127.0.0.1:1935/live/main?sign=v1.9.abc', label: 'A' }, ctx);
    expect(r).toEqual({ ok: true, value: [{ id: 'a', label: 'A', url: 'rtmp://127.0.0.1:1935/live', maskedKey: '••••', controlUrl: null, hasToken: false }] });
    expect(JSON.stringify(r)).not.toContain('sign');
    expect([...secrets.values.values()]).toEqual(['main?sign=v1.9.abc']);
  });

  it('maps host errors to their codes', async () => {
    const { d } = setup();
    expect(await d.dispatch('live.start', { source: { kind: 'test-pattern' } }, ctx)).toMatchObject({ ok: false, code: 'invalid-state', message: 'Add at least one server before going live' });
    expect(await d.dispatch('servers.remove', { id: 'ghost' }, ctx)).toMatchObject({ ok: false, code: 'not-found' });
    expect(await d.dispatch('capture.attach', { mimeType: 'video/webm' }, ctx)).toMatchObject({ ok: false, code: 'invalid-state' });
    expect(await d.dispatch('profile.import', { text: '{' }, ctx)).toMatchObject({ ok: false, code: 'invalid-profile' });
  });

  it('hides unexpected errors behind a generic message', async () => {
    const d = new IpcDispatcher(
      { ...setup().handlers, 'servers.list': async () => { throw new Error('boom rtmp://h/live/secretkey'); } },
      silentLogger,
    );
    const r = await d.dispatch('servers.list', {}, ctx);
    expect(r).toMatchObject({ ok: false, code: 'internal' });
    expect(JSON.stringify(r)).not.toContain('secretkey');
  });
});
