// Secrets at rest: through safeStorage only, refused when the OS offers no real encryption, and
// never in plain text on disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../main/presenter/storage.js';
import { createSecretStore, safeStorageCodec } from '../../main/secrets.js';

const fakeSafeStorage = (available = true, backend: 'gnome_libsecret' | 'basic_text' = 'gnome_libsecret') => ({
  isEncryptionAvailable: () => available,
  getSelectedStorageBackend: () => backend,
  encryptString: (s: string) => Buffer.from(`enc:${Buffer.from(s).toString('base64').split('').reverse().join('')}`),
  decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4).split('').reverse().join(''), 'base64').toString(),
});

describe('safeStorage secrets', () => {
  it('stores keys encrypted and reads them back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-secrets-'));
    const store = createSecretStore(dir, fakeSafeStorage());
    await store.set('server/a/publish', 'live-key?sign=v1.1.SECRET');
    const onDisk = fs.readFileSync(path.join(dir, 'secrets.bin'), 'utf8');
    expect(onDisk).not.toContain('SECRET');
    expect((fs.statSync(path.join(dir, 'secrets.bin')).mode & 0o777).toString(8)).toBe('600');
    expect(await createSecretStore(dir, fakeSafeStorage()).get('server/a/publish')).toBe('live-key?sign=v1.1.SECRET');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses when encryption is unavailable or only the basic_text fallback exists on Linux', () => {
    expect(() => safeStorageCodec(fakeSafeStorage(false)).encode('x')).toThrow(/no secure storage/);
    expect(() => safeStorageCodec(fakeSafeStorage(true, 'basic_text'), 'linux').encode('x')).toThrow(/no secure storage/);
    expect(safeStorageCodec(fakeSafeStorage(true, 'basic_text'), 'darwin').encode('x').toString()).toMatch(/^enc:/);
  });
});

describe('FileSecretStore', () => {
  it('reports a damaged secrets file in words without quoting what it holds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-secrets-'));
    const file = path.join(dir, 'secrets.json');
    fs.writeFileSync(file, '{"server/a/publish": "STREAMKEY-123456", broken');
    const store = new FileSecretStore(file);
    const err = await store.get('server/a/publish').then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/damaged/);
    expect(err?.message).not.toContain('STREAMKEY');
  });
});

