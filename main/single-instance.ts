// One app per user: a second launch focuses the first window and exits.
import type { App, BrowserWindow } from 'electron';

export function ensureSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>, currentWindow: () => Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'> | null): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const win = currentWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  return true;
}
