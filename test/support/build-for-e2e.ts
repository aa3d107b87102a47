// vitest globalSetup of the e2e project: what build-for-tests.ts builds, plus the presenter UI the
// studio tests serve, once for the whole run (renderer-build.ts); removed when the run ends.
import fs from 'node:fs';
import { buildForTests } from '../../scripts/build.js';
import { buildSharedRenderer } from './renderer-build.js';

export default async function setup(): Promise<() => void> {
  const [, dir] = await Promise.all([buildForTests(), buildSharedRenderer()]);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
