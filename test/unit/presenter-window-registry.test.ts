// The window registry: every attached window hears broadcasts (one that throws does not stop the
// others), per-window payloads go to the right window, a window that goes away is announced once,
// a stale handle never drops a window that re-attached under the same id, and a closing app
// refuses new windows in words.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { APP_CLOSING } from '../../main/presenter/presenter-text.js';
import { WindowRegistry } from '../../main/presenter/window-registry.js';
import { RecordingClient } from '../support/studio-fakes.js';

const servers = [{ id: 'a', label: 'A', url: 'rtmp://h/live', maskedKey: null, controlUrl: null, hasToken: false }];

describe('WindowRegistry', () => {
  it('broadcasts to every window, past one that throws', () => {
    const r = new WindowRegistry(silentLogger);
    const a = new RecordingClient('a');
    const c = new RecordingClient('c');
    r.attach(a);
    r.attach({ id: 'broken', send: () => { throw new Error('gone'); } });
    r.attach(c);
    expect(r.size).toBe(3);
    r.broadcast('servers', servers);
    expect(a.last('servers')).toEqual(servers);
    expect(c.last('servers')).toEqual(servers);
  });

  it('sends each window its own payload', () => {
    const r = new WindowRegistry(silentLogger);
    const a = new RecordingClient('a');
    const b = new RecordingClient('b');
    r.attach(a);
    r.attach(b);
    r.sendEach('servers', (id) => [{ ...servers[0]!, label: `for ${id}` }]);
    expect(a.last('servers')?.[0]?.label).toBe('for a');
    expect(b.last('servers')?.[0]?.label).toBe('for b');
  });

  it('announces a window that goes away once, and a stale handle does not drop its successor', () => {
    const r = new WindowRegistry(silentLogger);
    const gone: string[] = [];
    r.onDetach((id) => gone.push(id));
    const first = r.attach(new RecordingClient('w'));
    first.dispose();
    first.dispose();
    expect(gone).toEqual(['w']);
    expect(r.has('w')).toBe(false);

    const old = r.attach(new RecordingClient('x'));
    const reloaded = new RecordingClient('x');
    r.attach(reloaded); // the same id again: a reload that attached before the old page said goodbye
    old.dispose();
    expect(r.has('x')).toBe(true);
    expect(gone).toEqual(['w']);
    r.broadcast('servers', servers);
    expect(reloaded.last('servers')).toEqual(servers);
  });

  it('refuses new windows once closing, while the attached ones still hear events; dispose forgets them', () => {
    const r = new WindowRegistry(silentLogger);
    const a = new RecordingClient('a');
    const handle = r.attach(a);
    r.close();
    expect(() => r.attach(new RecordingClient('late'))).toThrow(expect.objectContaining({ code: 'invalid-state', message: APP_CLOSING }));
    r.broadcast('servers', servers);
    expect(a.events).toHaveLength(1);
    const gone: string[] = [];
    r.onDetach((id) => gone.push(id));
    r.dispose();
    expect(r.size).toBe(0);
    handle.dispose();
    r.broadcast('servers', servers);
    expect(a.events).toHaveLength(1);
    expect(gone).toEqual([]);
  });
});
