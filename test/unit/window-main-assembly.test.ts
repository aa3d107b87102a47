// main/main.ts, bundled as for Electron but with a stand-in `electron` module: the shell asks for
// the single-instance lock, registers app:// as privileged, installs the permission handlers and
// the sender-checked IPC, hardens every web contents, and opens one secure window on app://tandem/.
import { build } from 'esbuild';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ELECTRON_CHUNK, ELECTRON_INVOKE } from '../../common/ipc-contract.js';
import { APP_URL } from '../../main/app-origin.js';
import { secureWebPreferences } from '../../main/window.js';
import { REPO } from '../support/node-process.js';
import type { FakeElectronRecord } from '../support/studio-fake-electron.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-main-bundle-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe('Electron main assembly', () => {
  it('wires the shell modules together on startup', async () => {
    const dist = path.join(out, 'dist', 'electron');
    await build({
      entryPoints: [path.join(REPO, 'main', 'main.ts')],
      outfile: path.join(dist, 'main.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      alias: { electron: path.join(REPO, 'test', 'support', 'studio-fake-electron.ts') },
      logLevel: 'silent',
      // Bare imports (zod, pino, ws) resolve from the repo's node_modules.
      nodePaths: [path.join(REPO, 'node_modules')],
    });
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(out, 'node_modules'));
    const level = process.env.TANDEM_LOG_LEVEL;
    process.env.TANDEM_LOG_LEVEL = 'silent';
    try {
      await import(pathToFileURL(path.join(dist, 'main.mjs')).href);
    } finally {
      if (level === undefined) delete process.env.TANDEM_LOG_LEVEL;
      else process.env.TANDEM_LOG_LEVEL = level;
    }
    const rec = (globalThis as { __fakeElectron?: FakeElectronRecord }).__fakeElectron!;
    const deadline = Date.now() + 5000;
    while (rec.windows.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    expect(rec.singleInstanceRequested).toBe(1);
    expect(rec.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
    expect(rec.handledSchemes).toEqual(['app']);
    // The installed handlers grant media to the app page only.
    const ask = rec.permissionRequestHandler as (wc: unknown, p: string, cb: (ok: boolean) => void, d: unknown) => void;
    const answers: boolean[] = [];
    ask(null, 'media', (ok) => answers.push(ok), { requestingUrl: APP_URL, isMainFrame: true, mediaTypes: ['video', 'audio'] });
    ask(null, 'media', (ok) => answers.push(ok), { requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['video'] });
    ask(null, 'geolocation', (ok) => answers.push(ok), { requestingUrl: APP_URL, isMainFrame: true });
    expect(answers).toEqual([true, false, false]);
    const check = rec.permissionCheckHandler as (wc: unknown, p: string, origin: string, d: unknown) => boolean;
    expect(check(null, 'media', 'https://evil.example', { requestingUrl: 'https://evil.example/', isMainFrame: true, mediaType: 'audio' })).toBe(false);
    expect(rec.ipcHandlers).toEqual([ELECTRON_INVOKE]);
    expect(rec.ipcListeners).toEqual([ELECTRON_CHUNK]);
    expect(rec.appEvents).toEqual(expect.arrayContaining(['second-instance', 'web-contents-created', 'before-quit', 'window-all-closed']));

    // Every web contents is hardened as it is created.
    const contents = Object.assign(new EventEmitter(), { opened: null as unknown, setWindowOpenHandler(h: unknown) { this.opened = h; } });
    rec.emitApp('web-contents-created', {}, contents);
    const nav = { prevented: false, preventDefault() { this.prevented = true; } };
    contents.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.prevented).toBe(true);
    expect((contents.opened as () => unknown)()).toEqual({ action: 'deny' });

    expect(rec.windows).toHaveLength(1);
    const win = rec.windows[0]!;
    expect(win.loaded).toEqual([APP_URL]);
    expect(win.options.webPreferences).toEqual(secureWebPreferences(path.join(dist, 'preload.cjs')));
    expect(win.listenerCount('close')).toBe(1); // the close confirmation
    expect(win.webContents.listenerCount('render-process-gone')).toBeGreaterThanOrEqual(2); // host detach + crash recovery
    fs.rmSync(rec.userData, { recursive: true, force: true });
  });
});
