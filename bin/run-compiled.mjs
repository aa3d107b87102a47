// What both bins share: run a compiled entry from dist/ (`npm run build` writes it; the paths are
// those of BUILD_OUTPUT in common/install-layout.ts), or say in words how to build it. The bundles
// carry source maps: NODE_OPTIONS=--enable-source-maps makes stack traces name the TypeScript.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function runCompiled(command, relativeToRoot) {
  const entry = new URL(`../${relativeToRoot}`, import.meta.url);
  if (!existsSync(entry)) {
    const root = fileURLToPath(new URL('..', import.meta.url));
    process.stderr.write(`${command}: not built yet (${relativeToRoot} is missing). Run \`npm run build\` in ${root} first.\n`);
    process.exit(1);
  }
  await import(entry.href);
}
