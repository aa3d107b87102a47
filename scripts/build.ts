// `npm run build`: compiles everything that runs into dist/ (common/install-layout.ts names each
// output): the node and its media child, the `tandem` CLI, the viewer page, the presenter UI and the
// Electron shell, side by side. Node targets are bundled by esbuild (buildNodeTargets), so nothing is
// transpiled when a node starts, and the whole build takes seconds.
//   tsx scripts/build.ts           everything
//   tsx scripts/build.ts --node    what the node and the CLIs run (the test suite's set-up)
import { build } from 'esbuild';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { INSTALL_ROOT, builtPath, type BuildOutput } from '../common/install-layout.js';
import { buildElectron } from './build-electron.js';
import { buildRenderer } from './build-renderer.js';
import { buildViewer } from './build-viewer.js';
import { writeAtomically } from './write-atomically.js';

/** Everything the build bundles for Node, and how: see buildNodeTargets. */
const NODE_BUNDLES: { source: string; out: BuildOutput; inlinePackages: boolean }[] = [
  { source: 'app/cli.ts', out: 'nodeCli', inlinePackages: true },
  { source: 'app/media/media-child.ts', out: 'mediaChild', inlinePackages: true },
  { source: 'main/cli/tandem-cli.ts', out: 'tandemCli', inlinePackages: false },
];

/**
 * Packages a node's bundles still load from node_modules: node-media-server, whose internals the
 * node patches and checks (app/media/nms-internals.ts) and which reads its own files at run time,
 * and ws's optional native helpers (loaded in a try when installed).
 */
// ws too: node-media-server checks `res instanceof WebSocket` against its own require('ws'), so a bundled copy's
// sockets are not WebSockets to it (every adopted WS-FLV viewer crashed the media child).
const NODE_EXTERNALS = ['node-media-server', 'ws', 'bufferutil', 'utf-8-validate'];

/** CommonJS packages bundled into an ES module still call require (of Node's own modules). */
const REQUIRE_SHIM = "import { createRequire as __tandemCreateRequire } from 'node:module'; const require = __tandemCreateRequire(import.meta.url);";

/**
 * The node, its media child and the `tandem` CLI, bundled by esbuild. The node's two bundles carry
 * their small pure-JavaScript packages (zod, pino, ws, prom-client) inside: a node starts on every
 * cluster restart, and loading those as hundreds of separate modules took about a third of its start
 * (measured: 0.69 s of CPU for the node's modules with them external, 0.41 s inlined). The `tandem`
 * CLI keeps node_modules external: it loads Vite on demand, and its start matters less.
 */
export async function buildNodeTargets(): Promise<void> {
  await Promise.all(
    NODE_BUNDLES.map(async (b) => {
      const result = await build({
        absWorkingDir: INSTALL_ROOT,
        entryPoints: [path.join(INSTALL_ROOT, b.source)],
        outfile: builtPath(b.out),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        ...(b.inlinePackages ? { external: NODE_EXTERNALS, banner: { js: REQUIRE_SHIM } } : { packages: 'external' as const }),
        sourcemap: 'linked',
        sourcesContent: false,
        write: false,
        logLevel: 'warning',
      });
      for (const f of result.outputFiles) writeAtomically(f.path, f.contents);
    }),
  );
}

/** What the tests run (the node, the CLIs, the viewer page they serve): vitest's globalSetup builds it. */
export async function buildForTests(): Promise<void> {
  await Promise.all([buildNodeTargets(), buildViewer()]);
}

async function step(what: string, run: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await run();
  console.log(`  ${what}: ${Math.round(performance.now() - t0)} ms`);
}

/** `--node`: only what the node and the CLIs run (and the page the node serves); otherwise everything. */
export async function runBuild(argv: string[]): Promise<void> {
  const t0 = performance.now();
  await Promise.all([
    step('node, media core, tandem CLI', buildNodeTargets),
    step('viewer page', () => buildViewer()),
    ...(argv.includes('--node') ? [] : [step('presenter UI', () => buildRenderer(builtPath('renderer'))), step('Electron shell', buildElectron)]),
  ]);
  console.log(`Built into dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runBuild(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`Build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
