// While live: the machine must not sleep, and closing the window asks first (and stops the
// webcast cleanly when confirmed).
import type { BrowserWindow, Dialog, PowerSaveBlocker } from 'electron';
import { DisposableStore, type IDisposable, toDisposable } from '../common/lifecycle.js';
import type { LiveSession } from './presenter/live-session.js';

type Session = Pick<LiveSession, 'onLive' | 'isLive' | 'stop'>;

/** Holds a power-save blocker exactly while the session is live. */
export function keepAwakeWhileLive(session: Pick<Session, 'onLive'>, blocker: Pick<PowerSaveBlocker, 'start' | 'stop' | 'isStarted'>): IDisposable {
  let id: number | null = null;
  const release = () => {
    if (id !== null && blocker.isStarted(id)) blocker.stop(id);
    id = null;
  };
  const store = new DisposableStore();
  store.add(
    session.onLive((live) => {
      if (live && id === null) id = blocker.start('prevent-display-sleep');
      else if (!live) release();
    }),
  );
  store.add(toDisposable(release));
  return store;
}

type Win = Pick<BrowserWindow, 'on' | 'destroy' | 'isDestroyed'>;

/**
 * Closing while live asks: "Stop the webcast and close?" Confirming stops the session (every server
 * sees a clean end) and then closes; cancelling keeps everything as it was. A stop that fails is
 * reported through `onError` and the window stays open.
 */
export function confirmCloseWhileLive(win: Win, session: Pick<Session, 'isLive' | 'stop'>, dialog: Pick<Dialog, 'showMessageBox'>, onError: (err: unknown) => void): void {
  let asking = false;
  win.on('close', (event) => {
    if (!session.isLive) return;
    event.preventDefault();
    if (asking) return;
    asking = true;
    void dialog
      .showMessageBox(win as BrowserWindow, {
        type: 'warning',
        buttons: ['Keep streaming', 'Stop webcast and close'],
        defaultId: 0,
        cancelId: 0,
        title: 'You are live',
        message: 'Stop the webcast and close?',
        detail: 'Viewers on every server will see the stream end.',
      })
      .then(async ({ response }) => {
        if (response !== 1) return;
        await session.stop('the presenter closed the window');
        if (!win.isDestroyed()) win.destroy();
      })
      // The webcast could not be stopped: say so and keep the window, so the presenter still sees it.
      .catch(onError)
      .finally(() => {
        asking = false;
      });
  });
}
