// Where the Node sides find their files: the checkout's root from the sources (as vitest runs them),
// and the same root from a bundle in dist/<target>/ (as `npm run build` writes them).
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_OUTPUT, INSTALL_ROOT, builtPath } from '../../common/install-layout.js';
import { REPO_ROOT } from '../../main/presenter/paths.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-layout-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('install layout', () => {
  it('finds the checkout from the sources', () => {
    expect(INSTALL_ROOT).toBe(ROOT);
    expect(REPO_ROOT).toBe(ROOT);
    expect(builtPath('nodeCli')).toBe(path.join(ROOT, 'dist', 'app', 'cli.js'));
  });

  it('finds the same root from a bundle in dist/<target>/', async () => {
    for (const target of ['app', 'cli', 'electron']) {
      const out = path.join(tmp, 'dist', target, 'probe.mjs');
      await build({
        stdin: { contents: "export { INSTALL_ROOT } from './common/install-layout.ts';", resolveDir: ROOT, loader: 'ts' },
        outfile: out,
        bundle: true,
        platform: 'node',
        format: 'esm',
        logLevel: 'silent',
      });
      const { INSTALL_ROOT: root } = (await import(pathToFileURL(out).href)) as { INSTALL_ROOT: string };
      expect(root).toBe(tmp);
    }
  });

  it('puts every build output under dist/', () => {
    for (const rel of Object.values(BUILD_OUTPUT)) expect(rel.startsWith('dist/')).toBe(true);
  });
});
