// Camera and microphone for the app's own page only; no navigation away, no new windows, no webviews.
import { describe, expect, it } from 'vitest';
import { allowPermission, hardenContents, hardenSession, permissionCheckHandler, permissionRequestHandler } from '../../main/security.js';
import { serveRenderer } from '../../main/app-protocol.js';
import { FakeContents } from '../support/studio-electron-fakes.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const APP = 'app://tandem/index.html';

describe('permissions', () => {
  it('grants media to the app page’s main frame only', () => {
    expect(allowPermission('media', APP, true, ['video', 'audio'])).toBe(true);
    expect(allowPermission('media', APP, false, ['video'])).toBe(false);
    expect(allowPermission('media', 'https://evil.example/', true, ['video'])).toBe(false);
    expect(allowPermission('media', 'app://other/index.html', true, ['audio'])).toBe(false);
    expect(allowPermission('media', 'file:///index.html', true, ['audio'])).toBe(false);
    for (const p of ['geolocation', 'notifications', 'display-capture', 'openExternal', 'clipboard-read']) expect(allowPermission(p, APP, true)).toBe(false);
  });

  it('answers requests and checks through the session handlers', () => {
    let request: ((...a: never[]) => void) | null = null;
    let check: ((...a: never[]) => boolean) | null = null;
    hardenSession({
      setPermissionRequestHandler: (h) => void (request = h as never),
      setPermissionCheckHandler: (h) => void (check = h as never),
    });
    expect(request).toBe(permissionRequestHandler);
    expect(check).toBe(permissionCheckHandler);
    const answers: boolean[] = [];
    const ask = permissionRequestHandler as unknown as (wc: unknown, p: string, cb: (ok: boolean) => void, d: unknown) => void;
    ask(null, 'media', (ok) => answers.push(ok), { requestingUrl: APP, isMainFrame: true, mediaTypes: ['video', 'audio'] });
    ask(null, 'media', (ok) => answers.push(ok), { requestingUrl: 'https://ads.example/', isMainFrame: true, mediaTypes: ['video'] });
    ask(null, 'notifications', (ok) => answers.push(ok), { requestingUrl: APP, isMainFrame: true });
    expect(answers).toEqual([true, false, false]);
    const probe = permissionCheckHandler as unknown as (wc: unknown, p: string, origin: string, d: unknown) => boolean;
    expect(probe(null, 'media', 'app://tandem', { requestingUrl: APP, isMainFrame: true, mediaType: 'video' })).toBe(true);
    expect(probe(null, 'media', 'https://x.example', { requestingUrl: 'https://x.example/', isMainFrame: true, mediaType: 'video' })).toBe(false);
  });
});

describe('web contents', () => {
  it('blocks navigation away from the app, new windows and webviews', () => {
    const c = new FakContents();
    hardenContents(c as never);
    expect(c.fire('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(c.fire('will-navigate', 'file:///etc/passwd').defaultPrevented).toBe(true);
    expect(c.fire('will-navigate', 'app://tandem/index.html').defaultPrevented).toBe(false);
    expect(c.fire('will-redirect', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(c.fire('will-attach-webview').defaultPrevented).toBe(true);
    expect(c.openHandler?.({ url: 'app://tandem/index.html' })).toEqual({ action: 'deny' });
  });

  it('serves the renderer with the CSP and nothing outside it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-app-proto-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<html></html>');
    const ok = await serveRenderer(dir, 'app://tandem/index.html');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await serveRenderer(dir, 'app://tandem/../../etc/passwd')).status).toBe(404);
    expect((await serveRenderer(dir, 'app://tandem/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await serveRenderer(dir, 'app://other/index.html')).status).toBe(404);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

class FakContents extends FakeContents {
  constructor() {
    super(1);
  }
}
