// The only place main touches ipcMain. Every call is checked for its sender (the app's own page,
// main frame) before its payload is parsed by the dispatcher; capture chunks are parsed here and
// handed to capture failover. Each window is attached to the presenter while its renderer lives.
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { ELECTRON_CHUNK, ELECTRON_EVENT, ELECTRON_INVOKE, captureChunkSchema, failure } from '../common/ipc-contract.js';
import type { IDisposable } from '../common/lifecycle.js';
import { toDisposable } from '../common/lifecycle.js';
import type { CaptureFailover } from './presenter/capture-failover.js';
import type { IpcDispatcher } from './presenter/ipc-dispatch.js';
import type { WindowRegistry } from './presenter/window-registry.js';
import type { Logger } from './engine/base/logger.js';
import { isAppUrl } from './app-origin.js';

type SenderEvent = Pick<IpcMainEvent | IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** Only the app's own page, in its top frame, may talk to the engine. */
export function isTrustedSender(e: SenderEvent): boolean {
  const frame = e.senderFrame;
  if (!frame) return false;
  return isAppUrl(frame.url) && frame === e.sender.mainFrame;
}

export const clientIdOf = (contents: Pick<WebContents, 'id'>) => `window-${contents.id}`;

export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'on' | 'removeHandler' | 'removeAllListeners'>,
  dispatcher: IpcDispatcher,
  capture: Pick<CaptureFailover, 'pushChunk'>,
  log: Logger,
): IDisposable {
  ipcMain.handle(ELECTRON_INVOKE, async (event, channel: unknown, args: unknown) => {
    if (!isTrustedSender(event)) {
      log.warn({ url: event.senderFrame?.url?.slice(0, 80) }, 'ipc: refused a call from a foreign frame');
      return failure('forbidden', 'Only the app’s own window may do this');
    }
    return dispatcher.dispatch(channel, args, { clientId: clientIdOf(event.sender) });
  });
  ipcMain.on(ELECTRON_CHUNK, (event, chunk: unknown) => {
    if (!isTrustedSender(event)) return;
    const parsed = captureChunkSchema.safeParse(chunk);
    if (!parsed.success) {
      log.warn({ client: clientIdOf(event.sender) }, 'ipc: refused a malformed capture chunk');
      return;
    }
    capture.pushChunk(clientIdOf(event.sender), parsed.data);
  });
  return toDisposable(() => {
    ipcMain.removeHandler(ELECTRON_INVOKE);
    ipcMain.removeAllListeners(ELECTRON_CHUNK);
  });
}

/** Attaches a window to the presenter until its renderer dies or the window is destroyed. */
export function attachWindow(windows: Pick<WindowRegistry, 'attach'>, contents: Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'once'>): IDisposable {
  const attached = windows.attach({
    id: clientIdOf(contents),
    send: (event, payload) => {
      if (!contents.isDestroyed()) contents.send(ELECTRON_EVENT, event, payload);
    },
  });
  contents.once('render-process-gone', () => attached.dispose());
  contents.once('destroyed', () => attached.dispose());
  return attached;
}
