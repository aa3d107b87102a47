// The presenter UI the studio e2e tests serve: built once per test run (the e2e project's
// globalSetup, build-for-e2e.ts, builds it and names it in TANDEM_TEST_RENDERER_DIR), not once per
// file: a Vite build costs 4-5 s, and a dozen files each built their own. The studio only reads it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRenderer, hasRendererBuild } from '../../scripts/build-renderer.js';

export const RENDERER_DIR_ENV = 'TANDEM_TEST_RENDERER_DIR';

let ownBuild: Promise<string> | null = null;

/** A built renderer: the run's shared one, or (outside vitest's globalSetup) one built for this process. */
export function sharedRendererDir(): Promise<string> {
  const given = process.env[RENDERER_DIR_ENV];
  if (given && hasRendererBuild(given)) return Promise.resolve(given);
  ownBuild ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-renderer-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    await buildRenderer(dir);
    return dir;
  })();
  return ownBuild;
}

/** Builds the run's shared renderer (globalSetup); returns its folder. */
export async function buildSharedRenderer(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-renderer-run-'));
  await buildRenderer(dir);
  process.env[RENDERER_DIR_ENV] = dir;
  return dir;
}
