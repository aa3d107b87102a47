// Electron main: assembles the shell's modules and nothing more. The engine lives in main/engine/,
// the session logic and storage in the presenter layer (main/presenter/); this file wires the
// presenter's services to Electron's app, windows and IPC.
import { BrowserWindow, app, dialog, ipcMain, powerSaveBlocker, protocol, safeStorage, session, utilityProcess } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { handleAppScheme, registerAppScheme } from './app-protocol.js';
import { createAppHost, demoDataDir } from './app-host.js';
import { CrashRecovery } from './crash-recovery.js';
import { createLogger } from './engine/base/logger.js';
import { type DemoCluster, startDemoCluster } from './demo/demo-cluster.js';
import { utilityProcessLauncher } from './demo/utility-launcher.js';
import { attachWindow, registerIpc } from './ipc-main.js';
import { confirmCloseWhileLive, keepAwakeWhileLive } from './live-guard.js';
import { hardenContents, hardenSession } from './security.js';
import { ensureSingleInstance } from './single-instance.js';
import { createMainWindow } from './window.js';

const log = createLogger(process.env.TANDEM_LOG_LEVEL ?? 'info');
const demo = process.argv.includes('--demo') || process.env.TANDEM_DEMO === '1';
// The bundle runs from <root>/dist/electron/: the checkout in development, resources/app.asar packaged.
const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(here, '..', '..');
const resources = app.isPackaged ? process.resourcesPath : path.join(appRoot, 'assets', 'icons');
let win: BrowserWindow | null = null;
let demoCluster: DemoCluster | null = null;

if (ensureSingleInstance(app, () => win)) {
  registerAppScheme(protocol);
  app
    .whenReady()
    .then(start)
    .catch(async (err: unknown) => {
      // Nothing would show otherwise: no window, and an app running unseen.
      log.error({ err: (err as Error)?.message ?? String(err) }, 'Tandem could not start');
      dialog.showErrorBox('Tandem could not start', (err as Error)?.message ?? String(err));
      await demoCluster?.stop().catch(() => {});
      app.exit(1);
    });
}

/** The user's Videos/Tandem (the demo's recordings too); none where the system has no Videos folder. */
function recordingsPath(): { recordings?: string } {
  try {
    return { recordings: path.join(app.getPath('videos'), 'Tandem') };
  } catch {
    return {};
  }
}

async function start(): Promise<void> {
  // Each demo node runs as an Electron utility process with its media core in-process: with the
  // RunAsNode fuse off, this binary cannot be started as plain Node, so no demo process may start
  // another (main/demo/demo-cluster.ts, main/demo/utility-launcher.ts). Electron ends them with the
  // app; before-quit below stops them first.
  if (demo) demoCluster = await startDemoCluster({ nodeBin: path.join(appRoot, 'bin', 'tandem-node.mjs'), launcher: utilityProcessLauncher(utilityProcess) });
  const userData = demo ? demoDataDir(app.getPath('userData')) : app.getPath('userData');
  const { presenter, profile, dispatcher } = createAppHost({
    paths: {
      userData,
      brandDir: path.join(appRoot, 'assets', 'brand'),
      slateImage: path.join(resources, 'slate.png'),
      ...recordingsPath(),
      ...(app.isPackaged ? { resourcesPath: process.resourcesPath } : {}),
    },
    safeStorage,
    logger: log,
    version: app.getVersion(),
    demo,
  });
  if (demoCluster) await profile.importProfile(JSON.stringify(demoCluster.profile));

  hardenSession(session.defaultSession);
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  handleAppScheme(protocol, path.join(appRoot, 'dist', 'renderer'));
  registerIpc(ipcMain, dispatcher, presenter.capture, log);
  keepAwakeWhileLive(presenter.session, powerSaveBlocker);

  const openWindow = () => {
    const w = createMainWindow(BrowserWindow, {
      preloadPath: path.join(here, 'preload.cjs'),
      iconPath: path.join(appRoot, 'assets', 'icons', '512x512.png'),
      title: 'Tandem',
      backgroundColor: '#0f1720',
    });
    win = w;
    attachWindow(presenter.windows, w.webContents);
    confirmCloseWhileLive(w, presenter.session, dialog, (err) => {
      log.error({ err: (err as Error)?.message ?? String(err) }, 'could not stop the webcast on close');
      dialog.showErrorBox('The webcast could not be stopped', (err as Error)?.message ?? String(err));
    });
    w.webContents.on('render-process-gone', (_e, details) => {
      log.error({ reason: details.reason, exitCode: details.exitCode }, 'renderer gone');
      recovery.handle(details, () => {
        if (!w.isDestroyed()) w.destroy();
      });
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
  };
  const recovery = new CrashRecovery(openWindow, (details) => {
    log.error({ reason: details.reason }, 'renderer keeps crashing; the slate stays on air');
    void dialog.showMessageBox({ type: 'error', message: 'The Tandem window keeps crashing.', detail: 'Your servers are showing the slate. Restart Tandem to resume your camera.' });
  });
  openWindow();

  app.on('activate', () => {
    if (!win) openWindow();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void Promise.allSettled([presenter.shutdown()])
      .then(() => demoCluster?.stop())
      .finally(() => app.exit(0));
  });
  app.on('window-all-closed', () => {
    // While live the engine keeps publishing the slate; a new window can re-attach (macOS dock).
    if (process.platform !== 'darwin' && !presenter.session.isLive) app.quit();
  });
}
