// The node's state (Q&A log, shared objects) lives in a folder only its user can touch: made with
// mode 0700, refused when it is a symlink, owned by someone else, or writable by group or others,
// and its files are opened without following symlinks. Otherwise another local user could plant
// the folder (or a symlink named questions.jsonl) and have viewers' text appended to any file of
// the node's user, such as a shell start-up file.
import { constants, lstatSync, mkdirSync, mkdtempSync, openSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

/** Makes `dir` (and missing parents) with mode 0700 if needed, then checks it is private. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  assertPrivateDir(dir);
}

/** Throws ConfigError, in words, unless `dir` is a real folder of this user that nobody else may write. */
export function assertPrivateDir(dir: string): void {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw new ConfigError(`The state folder ${dir} is a symbolic link; use a real folder only this user can write`);
  if (!st.isDirectory()) throw new ConfigError(`The state folder ${dir} is not a folder`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new ConfigError(`The state folder ${dir} belongs to another user (uid ${st.uid}); use a folder of your own`);
  if ((st.mode & 0o022) !== 0) throw new ConfigError(`The state folder ${dir} is writable by other users; make it private (chmod 700)`);
}

/** A fresh private folder `<parent>/<prefix>XXXXXX` (parent made private first). */
export function makePrivateTempDir(parent: string, prefix: string): string {
  ensurePrivateDir(parent);
  return mkdtempSync(path.join(parent, prefix));
}

/** Opens `file` for appending (created 0600), refusing a symlink in words. */
export function openPrivateFile(file: string, flags: 'append' | 'truncate'): number {
  const mode = flags === 'append' ? constants.O_APPEND : constants.O_TRUNC;
  try {
    return openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | mode, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new ConfigError(`${file} is a symbolic link; the node writes only to its own files`);
    throw err;
  }
}
