// Serves the viewer page: static HTML/JS/CSS from app/viewer/, mpegts.js from node_modules at a fixed
// route (no bundler), the brand logo, and the page's config (stream, brand, every node of the cluster).
// The page is data-driven: brand and user text reach the DOM only through textContent, never as HTML.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Brand } from '../brand.js';
import type { PublicServer } from './public-server.js';
import { sendJson } from './public-server.js';
import type { IDisposable as Disposable } from '../../common/lifecycle.js';

const VIEWER_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'viewer');
const require = createRequire(import.meta.url);

export interface ViewerPageOptions {
  nodeId: string;
  stream: string;
  brand: Brand;
  /** Every node's public base URL (http[s]://host:port); empty means "this node only". */
  cluster: string[];
}

function contentSecurityPolicy(cluster: string[]): string {
  const origins = new Set<string>();
  for (const base of cluster) {
    const u = new URL(base);
    origins.add(u.origin);
    origins.add(`${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`);
  }
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "media-src 'self' blob:",
    `connect-src 'self' ${[...origins].join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function registerViewerRoutes(server: PublicServer, o: ViewerPageOptions): Disposable[] {
  const file = (name: string) => readFileSync(path.join(VIEWER_DIR, name));
  const mpegtsPath = path.join(path.dirname(require.resolve('mpegts.js/package.json')), 'dist', 'mpegts.js');
  const assets: Record<string, { body: Buffer; type: string }> = {
    '/': { body: file('index.html'), type: 'text/html; charset=utf-8' },
    '/viewer.js': { body: file('viewer.js'), type: 'text/javascript; charset=utf-8' },
    '/viewer.css': { body: file('viewer.css'), type: 'text/css; charset=utf-8' },
    '/vendor/mpegts.js': { body: readFileSync(mpegtsPath), type: 'text/javascript; charset=utf-8' },
    '/brand/logo': { body: o.brand.logo.body, type: o.brand.logo.contentType },
  };
  const csp = contentSecurityPolicy(o.cluster);
  const pageConfig = {
    nodeId: o.nodeId,
    stream: o.stream,
    nodes: o.cluster,
    brand: { ...o.brand.info, logo: '/brand/logo' },
    stallMs: 3000,
  };
  const serve = (pathname: string) => (_req: IncomingMessage, res: ServerResponse) => {
    const a = assets[pathname];
    if (!a) return sendJson(res, 404, { error: 'not found' });
    res.writeHead(200, {
      'content-type': a.type,
      'content-length': a.body.length,
      'cache-control': pathname === '/' ? 'no-store' : 'public, max-age=300',
      'content-security-policy': pathname === '/brand/logo' ? "default-src 'none'; style-src 'unsafe-inline'" : csp,
    });
    res.end(a.body);
  };
  const subs = Object.keys(assets).map((p) => server.route(['GET', 'HEAD'], p, serve(p)));
  subs.push(server.route(['GET'], '/viewer-config.json', (_req, res) => sendJson(res, 200, pageConfig)));
  return subs;
}
