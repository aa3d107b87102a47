// Stream keys, publish signatures and presenter tokens at rest: encrypted with Electron's
// safeStorage (the OS keychain's key) in one file under userData. If the OS offers no real
// encryption (Linux without a keyring falls back to a hard-coded key), we refuse to store secrets
// rather than pretend; the presenter is told in words.
import type { SafeStorage } from 'electron';
import path from 'node:path';
import { HostError } from './presenter/host-error.js';
import { NO_KEYRING } from './presenter/presenter-text.js';
import { FileSecretStore, type SecretCodec, type SecretStore } from './presenter/storage.js';

type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & {
  getSelectedStorageBackend?: SafeStorage['getSelectedStorageBackend'];
};

export function safeStorageCodec(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCodec {
  const check = () => {
    const weak = platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text';
    if (!safeStorage.isEncryptionAvailable() || weak) {
      throw new HostError('storage', NO_KEYRING);
    }
  };
  return {
    encode: (plain) => {
      check();
      return safeStorage.encryptString(plain);
    },
    decode: (stored) => {
      check();
      return safeStorage.decryptString(stored);
    },
  };
}

export function createSecretStore(userDataDir: string, safeStorage: SafeStorageLike): SecretStore {
  return new FileSecretStore(path.join(userDataDir, 'secrets.bin'), safeStorageCodec(safeStorage));
}
