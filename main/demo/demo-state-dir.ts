// Where the demo's nodes keep their state (shared objects, Q&A log): a fresh folder of mode 0700
// (mkdtemp, a name nobody can guess or create first) under the user's own state folder
// (common/user-state-dir.ts). Each node checks its own folder inside it (a symlink, another user's
// or a writable-by-others folder is refused: app/control/private-dir.ts) before it writes.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { userStateDir } from '../../common/user-state-dir.js';

/** A fresh private `<parent>/tandem-demo-XXXXXX`; `remove()` deletes it with what the nodes wrote. */
export function makeDemoStateDir(parent = userStateDir()): { dir: string; remove(): void } {
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(path.join(parent, 'tandem-demo-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
