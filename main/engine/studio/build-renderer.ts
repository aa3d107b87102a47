// Builds the renderer with Vite (vite.renderer.config.ts) into a directory. Studio mode and the e2e
// tests call this when no build is present, so a clean checkout needs no separate build step.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export async function buildRenderer(outDir: string): Promise<void> {
  // Vite is a devDependency: loaded only when a build is needed (never in a packaged app).
  const vite = await import('vite');
  await vite.build({
    configFile: path.join(REPO_ROOT, 'vite.renderer.config.ts'),
    root: path.join(REPO_ROOT, 'renderer'),
    logLevel: 'warn',
    // Always a production build (React's production bundle), even when a test runner set NODE_ENV.
    mode: 'production',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: { outDir, emptyOutDir: true },
  });
}

export function hasRendererBuild(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}
