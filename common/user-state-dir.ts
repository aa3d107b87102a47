// Where Tandem keeps a user's local run-time state (the demo's and a local cluster's nodes): the
// user's runtime folder (XDG_RUNTIME_DIR, private by design) or else ~/.local/state/tandem, never a
// predictable name in /tmp that another local user could create first. One home for the demo
// (main/demo/demo-state-dir.ts) and `tandem-node cluster` (app/cluster.ts).
import os from 'node:os';
import path from 'node:path';

export function userStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime && path.isAbsolute(runtime) ? path.join(runtime, 'tandem') : path.join(os.homedir(), '.local', 'state', 'tandem');
}
