// vitest globalSetup of the integration and e2e projects: the tests run the compiled node and CLIs,
// as a user does, so what they run is built first (esbuild: about a second, and unchanged files are
// not rewritten, so a test run beside another in the same checkout never sees a half-written file).
// `npx vitest run test/integration/x.test.ts` works in a fresh checkout that way too.
import { buildForTests } from '../../scripts/build.js';

export default async function setup(): Promise<void> {
  await buildForTests();
}
