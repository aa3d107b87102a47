// Where the demo's nodes keep their state (shared objects, Q&A log): a fresh folder of mode 0700
// (mkdtemp), under the user's own runtime folder (XDG_RUNTIME_DIR, private by design) or else
// ~/.local/state/tandem, never a predictable name in /tmp that another local user could create
// first. Each node checks its own folder inside it again (app/control/private-dir.ts) before writing.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The same parent as `tandem-node cluster` uses (app/cluster.ts). */
export function userStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime && path.isAbsolute(runtime) ? path.join(runtime, 'tandem') : path.join(os.homedir(), '.local', 'state', 'tandem');
}

/** A fresh private `<parent>/tandem-demo-XXXXXX`; `remove()` deletes it with what the nodes wrote. */
export function makeDemoStateDir(parent = userStateDir()): { dir: string; remove(): void } {
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(path.join(parent, 'tandem-demo-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
