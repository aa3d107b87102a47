// The shell's presenter layer: the same Presenter as browser mode, with Electron's storage
// (settings under userData, secrets through safeStorage) and the packaged paths for ffmpeg and the
// slate, plus the IPC dispatcher that ipc-main.ts hands every call to.
import type { SafeStorage } from 'electron';
import path from 'node:path';
import type { Logger } from './engine/base/logger.js';
import { MultiConnection } from './engine/multi-connection.js';
import { loadBrand } from './presenter/default-brand.js';
import { IpcDispatcher } from './presenter/ipc-dispatch.js';
import { presenterHandlers } from './presenter/ipc-handlers.js';
import { Presenter } from './presenter/presenter.js';
import { PresenterProfile } from './presenter/presenter-profile.js';
import { createSecretStore } from './secrets.js';
import { createSettingsStore } from './settings.js';

export interface AppPaths {
  userData: string;
  /** Folder with brand.json and its logo. */
  brandDir: string;
  /** A PNG outside any asar archive (ffmpeg reads it). */
  slateImage: string;
  /** Where webcasts are recorded (the user's Videos/Tandem); absent: <userData>/recordings. */
  recordings?: string;
  /** Electron's resourcesPath when packaged (bundled ffmpeg lives under it). */
  resourcesPath?: string;
}

export function createAppHost(o: { paths: AppPaths; safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>; logger: Logger; version: string; demo: boolean }) {
  const profile = new PresenterProfile(createSettingsStore(o.paths.userData), createSecretStore(o.paths.userData, o.safeStorage), loadBrand(o.paths.brandDir));
  const presenter = new Presenter({
    profile,
    createConnection: (opts) =>
      new MultiConnection({ ...opts, logger: o.logger.child({ part: 'engine' }), ...(o.paths.resourcesPath ? { resourcesPath: o.paths.resourcesPath } : {}) }),
    recordingsDir: o.paths.recordings ?? path.join(o.paths.userData, 'recordings'),
    slateImagePath: o.paths.slateImage,
    logger: o.logger,
    mode: 'electron',
    version: o.version,
    demo: o.demo,
  });
  const dispatcher = new IpcDispatcher(presenterHandlers(presenter), o.logger.child({ part: 'ipc' }));
  return { presenter, profile, dispatcher };
}

export function demoDataDir(userData: string): string {
  return path.join(userData, 'demo');
}
