// The servers slice: validation before anything is sent, host errors shown on the right field,
// add / edit / remove, and profile import.
import { describe, expect, it } from 'vitest';
import { bindStore, createAppStore } from '../../renderer/src/store/app-store.js';
import { fakeApi } from '../support/studio-fake-api.js';

describe('servers slice', () => {
  it('refuses invalid input locally, naming the field, without calling the host', async () => {
    const api = fakeApi();
    const store = createAppStore(api);
    store.getState().editServer('new');
    expect(await store.getState().saveServer({ id: 'a', url: 'http://nope/live' })).toBe(false);
    expect(store.getState().formErrors.url).toBe('The URL must start with rtmp:// or rtmps://');
    expect(await store.getState().saveServer({ id: 'a', url: 'rtmp://h/live', controlUrl: 'ftp://x' })).toBe(false);
    expect(store.getState().formErrors.controlUrl).toBe('Enter an http:// or https:// URL');
    expect(api.calls).not.toContain('servers.save');
    expect(store.getState().editing).toBe('new');
  });

  it('adds, edits and removes servers; the list never carries the key', async () => {
    const api = fakeApi();
    const store = createAppStore(api);
    await bindStore(store, api);
    store.getState().editServer('new');
    expect(await store.getState().saveServer({ id: 'a', url: 'rtmp://h/live', streamKey: 'SECRET', label: 'A' })).toBe(true);
    expect(store.getState().editing).toBeNull();
    expect(store.getState().servers).toEqual([{ id: 'a', label: 'A', url: 'rtmp://h/live', maskedKey: '••••', controlUrl: null, hasToken: false }]);
    expect(JSON.stringify(store.getState())).not.toContain('SECRET');
    // A duplicate id comes back from the host on the id field.
    store.getState().editServer('new');
    expect(await store.getState().saveServer({ id: 'a', url: 'rtmp://g/live' })).toBe(false);
    expect(store.getState().formErrors.id).toBe('This id is taken');
    store.getState().editServer('a');
    expect(await store.getState().saveServer({ originalId: 'a', id: 'a', url: 'rtmp://h/live', label: 'Main' })).toBe(true);
    expect(store.getState().servers[0]).toMatchObject({ label: 'Main', maskedKey: '••••' });
    await store.getState().removeServer('a');
    expect(store.getState().servers).toEqual([]);
  });

  it('imports a cluster profile and reports a bad one in words', async () => {
    const api = fakeApi();
    const store = createAppStore(api);
    await bindStore(store, api);
    expect(await store.getState().importProfile('{"version":1}')).toBe(false);
    expect(store.getState().importMessage).toMatchObject({ ok: false });
    expect(store.getState().importMessage?.text).toMatch(/^This cluster profile is not valid: name/);
    const ok = await store.getState().importProfile(
      JSON.stringify({ version: 1, name: 'Town hall', servers: [{ id: 'n1', url: 'rtmp://h/live/k' }], brand: { name: 'Acme' } }),
    );
    expect(ok).toBe(true);
    expect(store.getState().profile).toMatchObject({ name: 'Town hall', brand: { name: 'Acme' } });
    expect(store.getState().servers.map((s) => s.id)).toEqual(['n1']);
  });
});
