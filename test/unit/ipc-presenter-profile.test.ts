// Servers and cluster profiles as stored: secrets go to the secret store only, edits keep the key
// the form never saw, and profiles are validated before anything is replaced.
import { describe, expect, it } from 'vitest';
import { joinPublishUrl, splitPublishUrl } from '../../common/publish-url.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';

function make() {
  const settings = new MemorySettingsStore();
  const secrets = new MemorySecretStore();
  return { settings, secrets, p: new PresenterProfile(settings, secrets) };
}

describe('PresenterProfile', () => {
  it('splits publish URLs into a visible base and a secret rest', () => {
    expect(splitPublishUrl('rtmp://h:1935/live/main?sign=v1.2.ab')).toEqual({ base: 'rtmp://h:1935/live', secret: 'main?sign=v1.2.ab' });
    expect(splitPublishUrl('rtmps://h/app')).toEqual({ base: 'rtmps://h/app', secret: '' });
    expect(joinPublishUrl('rtmp://h:1935/live', 'main?sign=x')).toBe('rtmp://h:1935/live/main?sign=x');
    expect(joinPublishUrl('rtmp://h/live', '?k=1')).toBe('rtmp://h/live?k=1');
  });

  it('never writes secrets to the settings document', async () => {
    const { p, settings } = make();
    await p.save({ id: 'a', url: 'rtmp://h/live', streamKey: 'SECRETKEY', token: 'TOKEN123-presenter', controlUrl: 'http://h:8080' });
    const doc = JSON.stringify(await settings.read());
    expect(doc).not.toContain('SECRETKEY');
    expect(doc).not.toContain('TOKEN123-presenter');
    expect(await p.servers()).toEqual([{ id: 'a', label: 'rtmp://h/live', url: 'rtmp://h/live', maskedKey: '••••', controlUrl: 'http://h:8080', hasToken: true }]);
    expect((await p.engineServers())[0]!.url).toBe('rtmp://h/live/SECRETKEY');
  });

  it('keeps the stored key and token when an edit leaves them empty, and moves them on rename', async () => {
    const { p, secrets } = make();
    await p.save({ id: 'a', url: 'rtmp://h/live/KEY', token: '0123456789abcdef' });
    await p.save({ originalId: 'a', id: 'b', url: 'rtmp://h/live', label: 'Renamed' });
    expect((await p.engineServers())[0]).toMatchObject({ id: 'b', url: 'rtmp://h/live/KEY', label: 'Renamed' });
    expect(await p.servers()).toMatchObject([{ id: 'b', hasToken: true }]);
    expect([...secrets.values.keys()].sort()).toEqual(['server/b/publish', 'server/b/token']);
    // A different host is a different server: the old key must not follow it.
    await p.save({ originalId: 'b', id: 'b', url: 'rtmp://other/live' });
    expect((await p.engineServers())[0]!.url).toBe('rtmp://other/live');
  });

  it('refuses duplicate ids and edits of unknown servers; removes secrets with the server', async () => {
    const { p, secrets } = make();
    await p.save({ id: 'a', url: 'rtmp://h/live/k' });
    await expect(p.save({ id: 'a', url: 'rtmp://h/live/k2' })).rejects.toMatchObject({ code: 'invalid-args' });
    await expect(p.save({ originalId: 'zz', id: 'zz', url: 'rtmp://h/live' })).rejects.toMatchObject({ code: 'not-found' });
    await p.remove('a');
    expect(await p.servers()).toEqual([]);
    expect(secrets.values.size).toBe(0);
  });

  it('imports a cluster profile, replacing servers, brand and viewer URLs', async () => {
    const { p } = make();
    await p.save({ id: 'old', url: 'rtmp://h/live/k' });
    const view = await p.importProfile(
      JSON.stringify({
        version: 1,
        name: 'Acme all-hands',
        servers: [
          { id: 'n1', url: 'rtmp://10.0.0.1:1935/live/main?sign=v1.1.aa', controlUrl: 'http://10.0.0.1:8080' },
          { id: 'n2', url: 'rtmp://10.0.0.2:1935/live', streamKey: 'main' },
        ],
        brand: { name: 'Acme', colors: { accent: '#ff0000' } },
        viewerUrls: ['https://watch.acme.example/'],
      }),
    );
    expect(view).toEqual({ name: 'Acme all-hands', brand: { name: 'Acme', colors: { accent: '#ff0000' } }, viewerUrls: ['https://watch.acme.example/'] });
    expect((await p.servers()).map((s) => s.id)).toEqual(['n1', 'n2']);
    expect((await p.engineServers()).map((s) => s.url)).toEqual(['rtmp://10.0.0.1:1935/live/main?sign=v1.1.aa', 'rtmp://10.0.0.2:1935/live/main']);
  });

  it('rejects invalid profiles without touching what is stored', async () => {
    const { p } = make();
    await p.save({ id: 'keep', url: 'rtmp://h/live/k' });
    const bad = [
      'not json',
      JSON.stringify({ version: 2, name: 'x', servers: [] }),
      JSON.stringify({ version: 1, name: 'x', servers: [] }),
      JSON.stringify({ version: 1, name: 'x', servers: [{ id: 'a', url: 'http://h/live' }] }),
      JSON.stringify({ version: 1, name: 'x', servers: [{ id: 'a', url: 'rtmp://h/live' }, { id: 'a', url: 'rtmp://g/live' }] }),
      JSON.stringify({ version: 1, name: 'x', servers: [{ id: 'a', url: 'rtmp://h/live' }], brand: { name: 'B', logo: 'https://evil.example/x.png' } }),
    ];
    for (const text of bad) await expect(p.importProfile(text), text).rejects.toMatchObject({ code: 'invalid-profile' });
    expect((await p.servers()).map((s) => s.id)).toEqual(['keep']);
  });

  it('refuses a profile whose presenter token is shorter than 16 characters, and says so', async () => {
    const { p } = make();
    const profile = (token: string) => JSON.stringify({ version: 1, name: 'x', servers: [{ id: 'a', url: 'rtmp://h/live/k', controlUrl: 'http://h:8080', token }] });
    await expect(p.importProfile(profile('x'.repeat(15)))).rejects.toMatchObject({
      code: 'invalid-profile',
      message: expect.stringMatching(/servers\.0\.token: The presenter token is too short.*at least 16 characters/),
    });
    expect(await p.servers()).toEqual([]);
    await p.importProfile(profile('0123456789abcdef'));
    expect((await p.servers()).map((s) => s.hasToken)).toEqual([true]);
  });
});
