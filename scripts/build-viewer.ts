// Builds the viewer page into dist/viewer/ (common/install-layout.ts): app/viewer/src/main.ts and
// mpegts.js bundled by esbuild into one browser script with its source map, and the page's HTML
// and stylesheet copied beside it. index.html names the script and stylesheet with a hash of their
// contents, so a browser never runs an old script against a new page. `npm run build` calls
// buildViewer(); `tsx scripts/build-viewer.ts [outDir]` runs it alone.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { INSTALL_ROOT, builtPath } from '../common/install-layout.js';
import { VIEWER_FILES } from '../app/http/viewer-bundle.js';
import { writeAtomically } from './write-atomically.js';

const SOURCE_DIR = path.join(INSTALL_ROOT, 'app', 'viewer');

const version = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 12);

/** Builds the page into `outDir` (default dist/viewer/); returns the files written (unchanged ones are left alone). */
export async function buildViewer(outDir: string = builtPath('viewer')): Promise<string[]> {
  const result = await build({
    absWorkingDir: INSTALL_ROOT,
    entryPoints: [path.join(SOURCE_DIR, 'src', 'main.ts')],
    outfile: path.join(outDir, VIEWER_FILES.script),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    // What MSE playback with mpegts.js needs anyway: every evergreen browser of the last years.
    target: ['chrome100', 'firefox100', 'safari15', 'edge100'],
    minify: true,
    sourcemap: 'linked',
    tsconfig: path.join(INSTALL_ROOT, 'tsconfig.web.json'),
    write: false,
    logLevel: 'warning',
  });
  const files = new Map<string, Uint8Array>();
  for (const f of result.outputFiles) files.set(path.basename(f.path), f.contents);
  const script = files.get(VIEWER_FILES.script);
  if (!script) throw new Error('esbuild wrote no viewer script');
  const css = fs.readFileSync(path.join(SOURCE_DIR, VIEWER_FILES.style));
  files.set(VIEWER_FILES.style, css);
  const html = fs
    .readFileSync(path.join(SOURCE_DIR, VIEWER_FILES.page), 'utf8')
    .replace(`src="/${VIEWER_FILES.script}"`, `src="/${VIEWER_FILES.script}?v=${version(script)}"`)
    .replace(`href="/${VIEWER_FILES.style}"`, `href="/${VIEWER_FILES.style}?v=${version(css)}"`);
  if (!html.includes(`?v=${version(script)}`)) throw new Error(`${VIEWER_FILES.page} no longer loads /${VIEWER_FILES.script}`);
  files.set(VIEWER_FILES.page, new TextEncoder().encode(html));
  const written: string[] = [];
  for (const [name, contents] of files) {
    const file = path.join(outDir, name);
    if (writeAtomically(file, contents)) written.push(file);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : builtPath('viewer');
  const t0 = performance.now();
  buildViewer(outDir)
    .then((written) => console.log(`Viewer page built into ${path.relative(process.cwd(), outDir) || '.'}/ in ${Math.round(performance.now() - t0)} ms (${written.length} file(s) changed)`))
    .catch((err: unknown) => {
      console.error(`Viewer page build failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
