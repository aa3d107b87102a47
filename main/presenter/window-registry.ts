// The windows that show the presenter app: Electron webContents or browser-mode WebSockets, each a
// client that receives the contract's events. A window is attached while its page lives; when it
// goes (closed, crashed, reloaded) `onDetach` tells the services that care (capture failover).
// One window that cannot be written to never keeps the others from hearing an event.
import type { EventChannel, EventPayload } from '../../common/ipc-contract.js';
import { Emitter } from '../../common/event.js';
import { type IDisposable, toDisposable } from '../../common/lifecycle.js';
import type { Logger } from '../engine/base/logger.js';
import { HostError } from './host-error.js';
import { APP_CLOSING } from './presenter-text.js';

/** A window (Electron webContents or a browser-mode WebSocket) that receives the presenter's events. */
export interface PresenterWindow {
  readonly id: string;
  send<E extends EventChannel>(event: E, payload: EventPayload<E>): void;
}

export class WindowRegistry implements IDisposable {
  private readonly windows = new Map<string, PresenterWindow>();
  private closed = false;
  private readonly log: Logger;

  private readonly _onDetach = new Emitter<string>();
  /** Fires with a window's id when it goes away. */
  readonly onDetach = this._onDetach.event;

  constructor(logger: Logger) {
    this.log = logger.child({ part: 'windows' });
  }

  get size(): number {
    return this.windows.size;
  }

  has(id: string): boolean {
    return this.windows.has(id);
  }

  /** Connects a window until the returned disposable is disposed. Refused once the app is closing. */
  attach(window: PresenterWindow): IDisposable {
    if (this.closed) throw new HostError('invalid-state', APP_CLOSING);
    this.windows.set(window.id, window);
    this.log.info({ client: window.id, clients: this.windows.size }, 'window attached');
    return toDisposable(() => this.detach(window));
  }

  /** The same event to every window. */
  broadcast<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    for (const w of this.windows.values()) this.send(w, event, payload);
  }

  /** An event whose payload depends on the window (the session view says who owns the capture). */
  sendEach<E extends EventChannel>(event: E, payloadFor: (windowId: string) => EventPayload<E>): void {
    for (const w of this.windows.values()) this.send(w, event, payloadFor(w.id));
  }

  /** No new window from now on; the attached ones keep hearing events (they see the session end). */
  close(): void {
    this.closed = true;
  }

  dispose(): void {
    this.closed = true;
    this.windows.clear();
    this._onDetach.dispose();
  }

  private detach(window: PresenterWindow): void {
    // A window that re-attached under the same id is a new window: the old handle must not drop it.
    if (this.windows.get(window.id) !== window) return;
    this.windows.delete(window.id);
    this.log.info({ client: window.id, clients: this.windows.size }, 'window detached');
    this._onDetach.fire(window.id);
  }

  private send<E extends EventChannel>(w: PresenterWindow, event: E, payload: EventPayload<E>): void {
    try {
      w.send(event, payload);
    } catch (err) {
      this.log.warn({ client: w.id, err: String(err) }, 'could not send to a window');
    }
  }
}
