// Serves the viewer page: the built bundle from dist/viewer/ (viewer-bundle.ts), the brand logo,
// and the page's config (stream path, brand, every node of the cluster). The page is data-driven:
// brand and user text reach the DOM only through textContent, never as HTML. Its one
// Content-Security-Policy is the header built here (no meta tag in the page to drift from it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { viewerBrandSchema } from '../../common/brand.js';
import { streamPath } from '../../common/publish-auth.js';
import { PAGE_CONFIG_PATH, pageConfigSchema, type PageConfig } from '../viewer/src/page-config.js';
import type { Brand } from '../brand.js';
import type { IDisposable } from '../../common/lifecycle.js';
import type { Logger } from '../logger.js';
import type { PublicServer } from './public-server.js';
import { sendJson } from './public-server.js';
import { VIEWER_CONTENT_TYPES, VIEWER_FILES, loadViewerBundle, type ViewerBundle, type ViewerFile } from './viewer-bundle.js';

export interface ViewerPageOptions {
  nodeId: string;
  stream: string;
  brand: Brand;
  /** Every node's public base URL (http[s]://host:port); empty means "this node only". */
  cluster: string[];
  /** Told once, at start, when the page is not built. */
  log?: Logger;
  /** The built page; loaded from dist/viewer/ when not given. */
  bundle?: ViewerBundle;
}

/** How long the page's playback may stand still before it fails over to another node. */
const STALL_MS = 3000;
export const BRAND_LOGO_PATH = '/brand/logo';

/**
 * The page's policy, every directive but connect-src's cluster origins: scripts, styles and images
 * from the node itself, media from MSE blobs, nothing inline, no eval, no framing, no forms.
 */
export const VIEWER_CSP_DIRECTIVES: readonly string[] = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "media-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];
/** The logo is an image of the brand's choosing (SVG included): it may style itself, and nothing else. */
export const LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** The page's Content-Security-Policy: the directives above, and connect-src for every node's HTTP and WebSocket origin. */
export function viewerCsp(cluster: readonly string[]): string {
  const origins = new Set<string>();
  for (const base of cluster) {
    const u = new URL(base);
    origins.add(u.origin);
    origins.add(`${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`);
  }
  return [...VIEWER_CSP_DIRECTIVES, `connect-src 'self' ${[...origins].join(' ')}`.trim()].join('; ');
}

export function viewerPageConfig(o: ViewerPageOptions): PageConfig {
  return pageConfigSchema.parse({
    nodeId: o.nodeId,
    stream: o.stream,
    flvPath: `${streamPath(o.stream)}.flv`,
    nodes: o.cluster,
    brand: viewerBrandSchema.parse({ ...o.brand.info, logo: BRAND_LOGO_PATH }),
    stallMs: STALL_MS,
  });
}

export function registerViewerRoutes(server: PublicServer, o: ViewerPageOptions): IDisposable[] {
  const bundle = o.bundle ?? loadViewerBundle();
  const csp = viewerCsp(o.cluster);
  const pageConfig = viewerPageConfig(o);
  const assets = new Map<string, { body: Buffer; type: string; csp: string; cache: string }>();
  const asset = (route: string, role: ViewerFile, body: Buffer) =>
    assets.set(route, { body, type: VIEWER_CONTENT_TYPES[role], csp, cache: role === 'page' ? 'no-store' : 'public, max-age=300' });
  if (bundle.ok) {
    asset('/', 'page', bundle.files.page);
    for (const role of ['script', 'sourceMap', 'style'] as const) asset(`/${VIEWER_FILES[role]}`, role, bundle.files[role]);
  } else {
    o.log?.warn(bundle.message);
    assets.set('/', { body: Buffer.from(`${bundle.message}\n`), type: 'text/plain; charset=utf-8', csp, cache: 'no-store' });
  }
  assets.set(BRAND_LOGO_PATH, { body: o.brand.logo.body, type: o.brand.logo.contentType, csp: LOGO_CSP, cache: 'public, max-age=300' });

  const serve = (route: string, a: { body: Buffer; type: string; csp: string; cache: string }) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(route === '/' && !bundle.ok ? 503 : 200, {
      'content-type': a.type,
      'content-length': a.body.length,
      'cache-control': a.cache,
      'content-security-policy': a.csp,
    });
    res.end(a.body);
  };
  const subs = [...assets].map(([route, a]) => server.route(['GET', 'HEAD'], route, serve(route, a)));
  subs.push(server.route(['GET'], PAGE_CONFIG_PATH, (_req, res) => sendJson(res, 200, pageConfig)));
  return subs;
}
