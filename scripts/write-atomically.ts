// Writes build output by renaming a finished copy over the old file, and only when its content
// changed: other processes (a node starting, a second test run in the same checkout) never read a
// half-written bundle, and an unchanged build touches nothing.
import fs from 'node:fs';
import path from 'node:path';

/** Returns whether the file was written (false: it already held these bytes). */
export function writeAtomically(file: string, contents: Uint8Array): boolean {
  try {
    if (Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength).equals(fs.readFileSync(file))) return false;
  } catch {
    // Not there yet.
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
  return true;
}
