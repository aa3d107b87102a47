// Stand-ins for the few Electron objects the shell modules use, so their tests never load Electron.
import { EventEmitter } from 'node:events';

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** A webContents: an emitter with the methods the shell calls. */
export class FakeContents extends EventEmitter {
  destroyed = false;
  readonly sent: unknown[][] = [];
  openHandler: ((d: unknown) => { action: string }) | null = null;
  mainFrame = { url: 'app://tandem/index.html' };
  constructor(readonly id: number) {
    super();
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(h: (d: unknown) => { action: string }): void {
    this.openHandler = h;
  }
  /** Fires like Electron: (event, ...args); returns the event to inspect preventDefault. */
  fire(name: string, ...args: unknown[]): FakeEvent {
    const e = new FakeEvent();
    this.emit(name, e, ...args);
    return e;
  }
}

export class FakeWindow extends EventEmitter {
  destroyed = false;
  shown = 0;
  loaded: string[] = [];
  constructor(readonly options: Record<string, unknown>) {
    super();
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  show(): void {
    this.shown++;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  fire(name: string, ...args: unknown[]): FakeEvent {
    const e = new FakeEvent();
    this.emit(name, e, ...args);
    return e;
  }
}

/** ipcMain: records handlers so a test can call them as a renderer would. */
export class FakeIpcMain {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  readonly listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  handle(channel: string, fn: (event: unknown, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, fn);
  }
  on(channel: string, fn: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, fn);
    return this;
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  removeAllListeners(channel?: string): this {
    if (channel) this.listeners.delete(channel);
    return this;
  }
}
