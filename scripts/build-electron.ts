// Bundles the Electron shell for `npm start` and electron-builder: main (ESM, node_modules kept
// external and shipped as dependencies) and the sandboxed preload (one CommonJS file, since a
// sandboxed preload can require nothing but electron). Run by scripts/build.ts.
import { build } from 'esbuild';
import path from 'node:path';
import { INSTALL_ROOT, builtPath } from '../common/install-layout.js';

export async function buildElectron(): Promise<void> {
  const out = builtPath('electron');
  await build({
    entryPoints: [path.join(INSTALL_ROOT, 'main', 'main.ts')],
    outfile: path.join(out, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    external: ['electron'],
    logLevel: 'warning',
  });
  await build({
    entryPoints: [path.join(INSTALL_ROOT, 'main', 'preload.ts')],
    outfile: path.join(out, 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome120',
    minify: true,
    external: ['electron'],
    logLevel: 'warning',
  });
}
