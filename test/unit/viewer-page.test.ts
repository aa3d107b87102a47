// The built viewer page and how the node serves it: scripts/build-viewer.ts bundles the page into
// one script (mpegts.js included) beside its HTML and stylesheet; the node serves that bundle with
// one Content-Security-Policy, built from one constant, as a header (the page carries no second
// copy in a meta tag); a node without the bundle says, at start and on /, to run `npm run build`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicServer } from '../../app/http/public-server.js';
import { VIEWER_FILES, loadViewerBundle } from '../../app/http/viewer-bundle.js';
import { BRAND_LOGO_PATH, LOGO_CSP, VIEWER_CSP_DIRECTIVES, registerViewerRoutes, viewerCsp, type ViewerPageOptions } from '../../app/http/viewer-routes.js';
import { createLogger } from '../../app/logger.js';
import { pageConfigSchema } from '../../app/viewer/src/page-config.js';
import { buildViewer } from '../../scripts/build-viewer.js';

const BUILD_MS = 60_000;
/** mpegts.js is ~280 KB, zod ~100 KB; zod imported as `{ z }` pulls every locale in (~750 KB in all). */
const MAX_SCRIPT_BYTES = 512 * 1024;

let dir: string;
const servers: PublicServer[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-viewer-'));
  await buildViewer(path.join(dir, 'built'));
}, BUILD_MS);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const CLUSTER = ['http://127.0.0.1:18001', 'https://node-b.example:8443'];
const brand = {
  info: { name: 'Acme', tagline: 'Town hall', logo: 'logo.svg', colors: { accent: '#f60' } },
  logo: { body: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), contentType: 'image/svg+xml' },
};

async function serve(o: Partial<ViewerPageOptions>): Promise<{ base: string; log: string[] }> {
  const log: string[] = [];
  const logger = createLogger({ destination: new Writable({ write: (c, _e, cb) => (log.push(String(c)), cb()) }) });
  const server = new PublicServer(logger, { httpHeadersTimeoutMs: 10_000, maxHttpConnections: 100 });
  servers.push(server);
  registerViewerRoutes(server, { nodeId: 'node-1', stream: 'main', brand, cluster: CLUSTER, log: logger, ...o });
  await server.listen(0, '127.0.0.1');
  return { base: `http://127.0.0.1:${server.address!.port}`, log };
}

describe('viewer page build', () => {
  it('writes one script with its source map, the page and the stylesheet, named by content hash', () => {
    const built = path.join(dir, 'built');
    expect(fs.readdirSync(built).sort()).toEqual(Object.values(VIEWER_FILES).sort());
    const html = fs.readFileSync(path.join(built, VIEWER_FILES.page), 'utf8');
    expect(html).toMatch(/<script src="\/viewer\.js\?v=[0-9a-f]{12}" defer><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="\/viewer\.css\?v=[0-9a-f]{12}">/);
    // One script, no vendor file: mpegts.js is in the bundle.
    expect(html.match(/<script/g)).toHaveLength(1);
    const script = fs.readFileSync(path.join(built, VIEWER_FILES.script), 'utf8');
    expect(script).toContain('//# sourceMappingURL=viewer.js.map');
    expect(script.length).toBeLessThan(MAX_SCRIPT_BYTES);
    const map = JSON.parse(fs.readFileSync(path.join(built, VIEWER_FILES.sourceMap), 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('app/viewer/src/main.ts'))).toBe(true);
    expect(map.sources.some((s) => s.includes('mpegts.js'))).toBe(true);
    expect(map.sources.some((s) => s.endsWith('common/flv-reader.ts'))).toBe(true);
  });

  it('keeps everything the CSP forbids out of the page: no meta policy, no inline script or style', () => {
    const html = fs.readFileSync(path.join(dir, 'built', VIEWER_FILES.page), 'utf8');
    expect(html).not.toMatch(/http-equiv/i);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('touches nothing when built again unchanged', async () => {
    expect(await buildViewer(path.join(dir, 'built'))).toEqual([]);
  }, BUILD_MS);
});

describe('viewer page routes', () => {
  it('serves the bundle with one policy, from one constant, as a header', async () => {
    const { base } = await serve({ bundle: loadViewerBundle(path.join(dir, 'built')) });
    const policy = viewerCsp(CLUSTER);
    for (const d of VIEWER_CSP_DIRECTIVES) expect(policy).toContain(d);
    expect(policy).toContain("connect-src 'self' http://127.0.0.1:18001 ws://127.0.0.1:18001 https://node-b.example:8443 wss://node-b.example:8443");
    expect(policy).not.toMatch(/unsafe-(inline|eval)/);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(policy);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const src = /src="(\/viewer\.js\?v=[0-9a-f]+)"/.exec(await page.text())![1]!;
    for (const [p, type] of [[src, 'text/javascript'], ['/viewer.js.map', 'application/json'], ['/viewer.css', 'text/css']] as const) {
      const res = await fetch(`${base}${p}`);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type'), p).toContain(type);
      expect(res.headers.get('content-security-policy'), p).toBe(policy);
    }
    expect((await fetch(`${base}/vendor/mpegts.js`)).status).toBe(404);
    const logo = await fetch(`${base}${BRAND_LOGO_PATH}`);
    expect(logo.headers.get('content-security-policy')).toBe(LOGO_CSP);
  });

  it('tells the page where the stream is, which nodes there are, and the brand, in the shape the page parses', async () => {
    const { base } = await serve({ bundle: loadViewerBundle(path.join(dir, 'built')) });
    const cfg = pageConfigSchema.parse(await (await fetch(`${base}/viewer-config.json`)).json());
    expect(cfg).toEqual({
      nodeId: 'node-1',
      stream: 'main',
      flvPath: '/live/main.flv',
      nodes: CLUSTER,
      brand: { name: 'Acme', tagline: 'Town hall', logo: BRAND_LOGO_PATH, colors: { accent: '#f60' } },
      stallMs: 3000,
    });
  });

  it('says in words, at start and on /, that the page is not built and how to build it', async () => {
    const missing = path.join(dir, 'nothing-here');
    const { base, log } = await serve({ bundle: loadViewerBundle(missing) });
    const warned = log.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.msg.includes('not built'));
    expect(warned?.level).toBe(40);
    expect(warned?.msg).toContain('run `npm run build`');
    expect(warned?.msg).toContain(path.join(missing, 'index.html'));
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('The viewer page is not built');
    // The stream, its config and the logo are still there.
    expect((await fetch(`${base}/viewer-config.json`)).status).toBe(200);
    expect((await fetch(`${base}${BRAND_LOGO_PATH}`)).status).toBe(200);
  });
});
