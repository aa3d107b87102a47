// The main window is created with the secure webPreferences and loads only the app's own page.
import { describe, expect, it } from 'vitest';
import type { BrowserWindowCtor } from '../../main/window.js';
import { createMainWindow, secureWebPreferences } from '../../main/window.js';
import { APP_URL } from '../../main/app-origin.js';
import { FakeWindow } from '../support/studio-electron-fakes.js';

describe('main window', () => {
  it('isolates the renderer: context isolation, sandbox, no Node, web security on', () => {
    const p = secureWebPreferences('/app/preload.cjs');
    expect(p).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('creates the window with those preferences, hidden until ready, loading app://tandem/', async () => {
    let created: FakeWindow | null = null;
    const Ctor = function (this: unknown, options: Record<string, unknown>) {
      created = new FakeWindow(options);
      return created;
    } as unknown as BrowserWindowCtor;
    createMainWindow(Ctor, { preloadPath: '/p.cjs', title: 'Tandem', backgroundColor: '#000000' });
    const w = created as unknown as FakeWindow;
    expect(w.options).toMatchObject({ title: 'Tandem', backgroundColor: '#000000' });
    expect(w.options.webPreferences).toMatchObject({ preload: '/p.cjs', contextIsolation: true, nodeIntegration: false, webSecurity: true });
    expect(w.options.show).toBe(false);
    expect((w.options.webPreferences as Record<string, unknown>).sandbox).toBe(true);
    expect(w.loaded).toEqual([APP_URL]);
    w.emit('ready-to-show');
    expect(w.shown).toBe(1);
  });
});
