// Where Tandem's files are on disk, for the Node sides (the node, the `tandem` CLI, the shell): the
// root of the checkout (or of the unpacked app), and where `npm run build` puts compiled code.
// Sources run from <root>/common/… (vitest, dev tools); compiled code runs from bundles in
// <root>/dist/<target>/ (scripts/build.ts). This module is common/install-layout.ts in the first case
// and part of a bundle in the second, so it finds the root from its own location either way.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const INSTALL_ROOT = path.basename(here) === 'common' ? path.dirname(here) : path.resolve(here, '..', '..');

/**
 * What `npm run build` writes, relative to the root: scripts/build.ts builds exactly these, and
 * everything that runs compiled code finds it here (bin/*.mjs, plain JavaScript, name theirs too).
 */
export const BUILD_OUTPUT = {
  /** `tandem-node`: the server node, its cluster and sign commands. */
  nodeCli: 'dist/app/cli.js',
  /** The node's media core process (node-media-server), forked by the node. */
  mediaChild: 'dist/app/media-child.js',
  /** `tandem`: live, studio. */
  tandemCli: 'dist/cli/tandem.js',
  /** The viewer page the node serves. */
  viewer: 'dist/viewer',
  /** The presenter UI (Electron and `tandem studio`). */
  renderer: 'dist/renderer',
  /** The Electron shell: main.mjs and preload.cjs. */
  electron: 'dist/electron',
} as const;

export type BuildOutput = keyof typeof BUILD_OUTPUT;

/** Absolute path of one build output. */
export function builtPath(what: BuildOutput): string {
  return path.join(INSTALL_ROOT, BUILD_OUTPUT[what]);
}
