// Builds the renderer with Vite (vite.renderer.config.ts) into a directory: by `npm run build`
// (scripts/build.ts), and by studio mode and the e2e tests when no build is present there.
import fs from 'node:fs';
import path from 'node:path';
import { INSTALL_ROOT } from '../common/install-layout.js';

export async function buildRenderer(outDir: string): Promise<void> {
  // Vite is a devDependency: loaded only when a build is needed (never in a packaged app).
  const vite = await import('vite');
  // Always a production build (React's production runtime and JSX transform together), even when
  // a test runner has set NODE_ENV=test: Vite and the React plugin both read it.
  const saved = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({
      configFile: path.join(INSTALL_ROOT, 'vite.renderer.config.ts'),
      root: path.join(INSTALL_ROOT, 'renderer'),
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
}

export function hasRendererBuild(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}
