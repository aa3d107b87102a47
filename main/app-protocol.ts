// app://tandem/… serves the built renderer from disk with the CSP header; nothing outside the
// renderer directory is reachable.
import type { Protocol } from 'electron';
import fs from 'node:fs/promises';
import path from 'node:path';
import { APP_CSP, APP_HOST, APP_SCHEME } from './app-origin.js';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Must run before app 'ready'. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
}

export async function serveRenderer(rendererDir: string, requestUrl: string): Promise<Response> {
  const url = new URL(requestUrl);
  if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html');
  if (!file.startsWith(root + path.sep)) return new Response('Not found', { status: 404 });
  try {
    const body = await fs.readFile(file);
    return new Response(body, {
      headers: {
        'content-type': types[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-security-policy': APP_CSP,
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

export function handleAppScheme(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveRenderer(rendererDir, request.url));
}
