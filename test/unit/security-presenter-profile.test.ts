// Issue 11: a stored secret stays with the address it was given for. An edit that moves the
// control URL to another node (or the publish URL to another host) with the token or key field
// left empty drops the stored one; label-only edits and the same node written another way keep it.
import { describe, expect, it } from 'vitest';
import { sameControlOrigin } from '../../common/publish-url.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';

const TOKEN = 'presenter-token-0123456789';

function make() {
  const secrets = new MemorySecretStore();
  return { secrets, p: new PresenterProfile(new MemorySettingsStore(), secrets) };
}

describe('sameControlOrigin', () => {
  it('compares the socket address a control URL leads to: scheme (secure-ness), host and port', () => {
    expect(sameControlOrigin('http://h:1', 'ws://h:1/control')).toBe(true);
    expect(sameControlOrigin('https://h', 'wss://h:443/control')).toBe(true);
    expect(sameControlOrigin('http://h:8080/', 'http://h:8080/control')).toBe(true);
    expect(sameControlOrigin('http://h:1', 'http://h:2')).toBe(false);
    expect(sameControlOrigin('http://h:1', 'http://evil:1')).toBe(false);
    expect(sameControlOrigin('https://h', 'http://h:443')).toBe(false);
    expect(sameControlOrigin('file:///x', 'file:///x')).toBe(false);
    expect(sameControlOrigin('not a url', 'not a url')).toBe(false);
  });
});

describe('PresenterProfile keeps secrets with their address', () => {
  it('drops the stored token when the control URL moves to another node, keeps it for the same node', async () => {
    const { p } = make();
    await p.save({ id: 'a', url: 'rtmp://h/live/KEY', controlUrl: 'http://h:8080', token: TOKEN });
    // Same node, written as its socket address: the token stays.
    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live', controlUrl: 'ws://h:8080/control' });
    expect((await p.engineServers())[0]).toMatchObject({ controlToken: TOKEN });
    // Another node with the token field empty: the token must not follow it.
    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live', controlUrl: 'http://evil:8080' });
    expect(await p.servers()).toMatchObject([{ hasToken: false, controlUrl: 'http://evil:8080' }]);
    expect((await p.engineServers())[0]).not.toHaveProperty('controlToken');
    // Going back does not bring the token back: it is gone.
    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live', controlUrl: 'http://h:8080' });
    expect(await p.servers()).toMatchObject([{ hasToken: false }]);
  });

  it('drops the token when the control URL goes from https to http, or is removed, or is added later', async () => {
    const { p } = make();
    await p.save({ id: 'a', url: 'rtmp://h/live', controlUrl: 'https://h', token: TOKEN });
    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live', controlUrl: 'http://h:443' });
    expect(await p.servers()).toMatchObject([{ hasToken: false }]);

    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live', controlUrl: 'http://h', token: TOKEN });
    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live' });
    expect(await p.servers()).toMatchObject([{ hasToken: false, controlUrl: null }]);

    // A token stored with no control URL does not go to the first control URL typed later.
    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live', token: TOKEN });
    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live', controlUrl: 'http://evil' });
    expect(await p.servers()).toMatchObject([{ hasToken: false }]);
  });

  it('keeps the stream key for the same publish host, drops it for another host, port or scheme', async () => {
    const { p } = make();
    await p.save({ id: 'a', url: 'rtmp://h/live/KEY' });
    await p.save({ originalId: 'a', id: 'a', url: 'rtmp://h:1935/live', label: 'Same host' });
    expect((await p.engineServers())[0]!.url).toBe('rtmp://h:1935/live/KEY');
    await p.save({ originalId: 'a', id: 'a', url: 'rtmps://h:1935/live' });
    expect((await p.engineServers())[0]!.url).toBe('rtmps://h:1935/live');
    await p.save({ originalId: 'a', id: 'a', url: 'rtmps://h:1935/live', streamKey: 'KEY2' });
    await p.save({ originalId: 'a', id: 'a', url: 'rtmps://h:1936/live' });
    expect((await p.engineServers())[0]!.url).toBe('rtmps://h:1936/live');
  });
});
