// Bundles the Electron shell for `npm start` and electron-builder: main (ESM, node_modules kept
// external and shipped as dependencies) and the sandboxed preload (one CommonJS file, since a
// sandboxed preload can require nothing but electron).
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'electron');

await build({
  entryPoints: [path.join(root, 'main', 'main.ts')],
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
  entryPoints: [path.join(root, 'main', 'preload.ts')],
  outfile: path.join(out, 'preload.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'chrome120',
  minify: true,
  external: ['electron'],
  logLevel: 'warning',
});
console.log(`Electron shell bundled into ${path.relative(root, out)}/`);
