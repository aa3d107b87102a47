// What package.json promises about running compiled code: tsx only builds and runs dev tools, and
// the bins run dist/ (they name the paths common/install-layout.ts gives the build), or say to build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_OUTPUT } from '../../common/install-layout.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

describe('package.json', () => {
  it('has tsx as a devDependency only', () => {
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
  });

  it('has bins that run the compiled entries, and no runtime code that loads tsx', () => {
    const bins = { tandem: BUILD_OUTPUT.tandemCli, 'tandem-node': BUILD_OUTPUT.nodeCli };
    for (const [name, entry] of Object.entries(bins)) {
      const text = fs.readFileSync(path.join(ROOT, pkg.bin[name]!), 'utf8');
      expect(text).toContain(`'${entry}'`);
      expect(text).not.toMatch(/tsx/);
    }
    for (const dir of ['app', 'main', 'common', 'bin']) {
      for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        if (!/\.(ts|mjs|js)$/.test(file) || file.includes('node_modules')) continue;
        expect(fs.readFileSync(path.join(ROOT, dir, file), 'utf8'), `${dir}/${file}`).not.toMatch(/['"]tsx(\/[^'"]*)?['"]/);
      }
    }
  });

  it('has bins that say in words to build when the compiled entry is missing', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-unbuilt-'));
    try {
      fs.cpSync(path.join(ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
      for (const [name, entry] of [['tandem-node', BUILD_OUTPUT.nodeCli], ['tandem', BUILD_OUTPUT.tandemCli]] as const) {
        const r = spawnSync(process.execPath, [path.join(copy, pkg.bin[name]!)], { encoding: 'utf8' });
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(`${name}: not built yet (${entry} is missing). Run \`npm run build\` in ${copy}${path.sep} first.\n`);
      }
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('runs the system check, the build, the type checks and lint before the suite', () => {
    expect(pkg.scripts.test).toBe('node scripts/check-system.mjs && npm run build && npm run typecheck && npm run lint && vitest run');
  });
});
