// The main window: the secure webPreferences, in one function the tests read, and the window
// itself. The BrowserWindow constructor is injected so this module never loads Electron at runtime.
import type { BrowserWindow, BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { APP_URL } from './app-origin.js';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // A presenter's capture must not be throttled when the window is behind another.
    backgroundThrottling: false,
  };
}

export interface MainWindowOptions {
  preloadPath: string;
  iconPath?: string;
  title: string;
  backgroundColor: string;
}

export type BrowserWindowCtor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

export function mainWindowOptions(o: MainWindowOptions): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: o.title,
    backgroundColor: o.backgroundColor,
    show: false,
    ...(o.iconPath ? { icon: o.iconPath } : {}),
    webPreferences: secureWebPreferences(o.preloadPath),
  };
}

export function createMainWindow(Ctor: BrowserWindowCtor, o: MainWindowOptions): BrowserWindow {
  const win = new Ctor(mainWindowOptions(o));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
  return win;
}
