// The presenter UI's page policy, in one place: Electron's app:// handler (main/app-protocol.ts) and
// browser mode's HTTP server (main/browser/studio-server.ts) both send it as a header, so
// renderer/index.html carries no copy that could drift. `connect-src 'self'` covers browser mode's
// same-origin WebSocket (CSP 3) and nothing else: no other local server is reachable from the page.
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Content types of the files a renderer build holds. */
export const RENDERER_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
