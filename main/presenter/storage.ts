// Where the presenter's settings and secrets live, behind two small interfaces so the presenter
// services never know: Electron stores secrets with safeStorage (main/secrets.ts), browser mode in
// a 0600 file next to its settings, tests in memory.
import fs from 'node:fs/promises';
import path from 'node:path';
import { secretsDamaged } from './presenter-text.js';

/** One JSON document (the presenter's settings). read() resolves null when nothing is stored yet. */
export interface SettingsStore {
  read(): Promise<unknown>;
  write(value: unknown): Promise<void>;
}

/** Named secrets: stream keys, signed publish paths, presenter tokens. */
export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

export class MemorySettingsStore implements SettingsStore {
  constructor(private value: unknown = null) {}
  async read(): Promise<unknown> {
    return this.value === null ? null : structuredClone(this.value);
  }
  async write(value: unknown): Promise<void> {
    this.value = structuredClone(value);
  }
}

export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}

/** Writes go to a temp file first and are renamed, so a crash never leaves half a file. */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, data, { mode });
  await fs.rename(tmp, file);
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class JsonFileSettingsStore implements SettingsStore {
  constructor(private readonly file: string) {}
  async read(): Promise<unknown> {
    const buf = await readIfExists(this.file);
    return buf === null ? null : (JSON.parse(buf.toString('utf8')) as unknown);
  }
  async write(value: unknown): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(value, null, 2));
  }
}

/** How a secret file's bytes are protected: identity in browser mode, safeStorage in Electron. */
export interface SecretCodec {
  encode(plain: string): Buffer;
  decode(stored: Buffer): string;
}

/**
 * Secrets in one file (mode 0600), each value passed through a codec. Browser mode uses the plain
 * codec: a headless studio machine has no OS keychain, so the file's permissions are the protection.
 */
export class FileSecretStore implements SecretStore {
  private cache: Map<string, string> | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly codec: SecretCodec = plainCodec,
  ) {}

  async get(name: string): Promise<string | null> {
    return (await this.load()).get(name) ?? null;
  }

  set(name: string, value: string): Promise<void> {
    return this.mutate((m) => m.set(name, value));
  }

  delete(name: string): Promise<void> {
    return this.mutate((m) => m.delete(name));
  }

  private async load(): Promise<Map<string, string>> {
    if (this.cache) return this.cache;
    const buf = await readIfExists(this.file);
    const map = new Map<string, string>();
    if (buf) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(this.codec.decode(buf));
      } catch {
        // Never pass the parser's message on: it quotes the file, which holds keys and tokens.
        throw new Error(secretsDamaged(this.file));
      }
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') map.set(k, v);
      }
    }
    this.cache = map;
    return map;
  }

  // Writes are serialised so two quick edits cannot interleave their renames.
  private mutate(fn: (m: Map<string, string>) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const m = await this.load();
      fn(m);
      await writeFileAtomic(this.file, this.codec.encode(JSON.stringify(Object.fromEntries(m))));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

export const plainCodec: SecretCodec = {
  encode: (plain) => Buffer.from(plain, 'utf8'),
  decode: (stored) => stored.toString('utf8'),
};
