// A stand-in for the `electron` module, aliased in when a test bundles main/main.ts: it records
// what the shell asked of Electron so the assembly can be checked without Electron's binary.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';

const appEmitter = new EventEmitter();

export interface FakeElectronRecord {
  /** Emits an app event as Electron would (event, ...args). */
  emitApp(name: string, ...args: unknown[]): void;
  singleInstanceRequested: number;
  privilegedSchemes: unknown[];
  handledSchemes: string[];
  permissionRequestHandler: unknown;
  permissionCheckHandler: unknown;
  windows: FakeBrowserWindow[];
  ipcHandlers: string[];
  ipcListeners: string[];
  appEvents: string[];
  userData: string;
  /** utilityProcess.fork calls: what the shell started as a utility process. */
  utilityForks: { modulePath: string; args: string[]; options: { env?: Record<string, string>; stdio?: unknown; serviceName?: string } }[];
  /** dialog.showErrorBox calls (title and text). */
  errorBoxes: [string, string][];
}

export const record: FakeElectronRecord = {
  emitApp: (name, ...args) => void appEmitter.emit(name, ...args),
  singleInstanceRequested: 0,
  privilegedSchemes: [],
  handledSchemes: [],
  permissionRequestHandler: null,
  permissionCheckHandler: null,
  windows: [],
  ipcHandlers: [],
  ipcListeners: [],
  appEvents: [],
  userData: fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-fake-userdata-')),
  utilityForks: [],
  errorBoxes: [],
};
(globalThis as { __fakeElectron?: FakeElectronRecord }).__fakeElectron = record;

class FakeWebContents extends EventEmitter {
  static next = 1;
  readonly id = FakeWebContents.next++;
  openHandler: unknown = null;
  send(): void {}
  isDestroyed(): boolean {
    return false;
  }
  setWindowOpenHandler(h: unknown): void {
    this.openHandler = h;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loaded: string[] = [];
  constructor(readonly options: Record<string, unknown>) {
    super();
    record.windows.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  show(): void {}
  destroy(): void {}
  isDestroyed(): boolean {
    return false;
  }
}

export const app = {
  isPackaged: false,
  requestSingleInstanceLock: () => (record.singleInstanceRequested++, true),
  quit: () => undefined,
  exit: () => undefined,
  on: (name: string, fn: (...a: unknown[]) => void) => {
    record.appEvents.push(name);
    appEmitter.on(name, fn);
    return app;
  },
  whenReady: () => Promise.resolve(),
  getPath: () => record.userData,
  getVersion: () => '0.0.0-test',
  getAppPath: () => process.cwd(),
};
export const BrowserWindow = FakeBrowserWindow;
export const dialog = {
  showMessageBox: async () => ({ response: 0, checkboxChecked: false }),
  showErrorBox: (title: string, text: string) => void record.errorBoxes.push([title, text]),
};
/** Records the fork; the stand-in process exits at once with code 1 (nothing is run). */
export const utilityProcess = {
  fork: (modulePath: string, args: string[] = [], options: FakeElectronRecord['utilityForks'][0]['options'] = {}) => {
    record.utilityForks.push({ modulePath, args, options });
    const child = Object.assign(new EventEmitter(), { stdout: new PassThrough(), stderr: new PassThrough(), kill: () => true });
    setImmediate(() => child.emit('exit', 1));
    return child;
  },
};
export const ipcMain = {
  handle: (ch: string) => void record.ipcHandlers.push(ch),
  on: (ch: string) => void record.ipcListeners.push(ch),
  removeHandler: () => undefined,
  removeAllListeners: () => undefined,
};
export const powerSaveBlocker = { start: () => 1, stop: () => true, isStarted: () => false };
export const protocol = {
  registerSchemesAsPrivileged: (s: unknown[]) => void record.privilegedSchemes.push(...s),
  handle: (scheme: string) => void record.handledSchemes.push(scheme),
};
export const safeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (s: string) => Buffer.from(s),
  decryptString: (b: Buffer) => b.toString(),
};
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h: unknown) => void (record.permissionRequestHandler = h),
    setPermissionCheckHandler: (h: unknown) => void (record.permissionCheckHandler = h),
  },
};
