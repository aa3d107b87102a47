// Browser mode's server (`tandem studio`): the presenter UI for a browser, with no Electron. It
// serves the built renderer and opens one WebSocket per window at /ipc, which carries the IPC
// contract (studio-socket.ts). Access needs the one-time token printed at startup, exchanged once
// for an HttpOnly session cookie plus a per-tab secret (common/studio-tab.ts): the socket needs
// both, since cookies are not separated by port and another local page may hold the cookie. The
// Host and Origin headers must name this server (no DNS rebinding, no cross-site sockets).
// Loopback unless told otherwise.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { MAX_CHUNK_BYTES } from '../../common/limits.js';
import type { IDisposable } from '../../common/lifecycle.js';
import { RENDERER_CONTENT_TYPES, RENDERER_CSP } from '../../common/renderer-page.js';
import { STUDIO_IPC_PROTOCOL, TAB_FRAGMENT_KEY, tabSecretOf } from '../../common/studio-tab.js';
import type { Logger } from '../engine/base/logger.js';
import type { CaptureFailover } from '../presenter/capture-failover.js';
import type { IpcDispatcher } from '../presenter/ipc-dispatch.js';
import type { WindowRegistry } from '../presenter/window-registry.js';
import { serveStudioSocket } from './studio-socket.js';

export interface StudioServerOptions {
  /** Each socket is a window of the presenter while it is open. */
  windows: Pick<WindowRegistry, 'attach'>;
  /** Binary frames are capture chunks. */
  capture: Pick<CaptureFailover, 'pushChunk'>;
  dispatcher: IpcDispatcher;
  /** The built renderer (index.html and assets/). */
  rendererDir: string;
  logger: Logger;
  /** Interface to listen on: 127.0.0.1 unless the operator chose another. */
  listenHost?: string;
  port?: number;
  /** How often a silent socket is pinged; two missed pongs end it (a frozen window lets go of capture). */
  heartbeatMs?: number;
}

const COOKIE = 'tandem_studio';


/** The request target as a URL, or null when it is not one (`//h:x`, bad escapes): never a throw. */
function parseRequestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://studio.invalid');
  } catch {
    return null;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

export class StudioServer implements IDisposable {
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private token: string | null = randomBytes(24).toString('base64url');
  /** Session cookie → the tab secret handed over with it. */
  private readonly sessions = new Map<string, string>();
  private readonly sockets = new Set<WebSocket>();
  private nextClient = 1;
  private port = 0;
  private closing: Promise<void> | null = null;
  /** Set once the listener stops: resolves when the HTTP server has closed. */
  private listenerClosed: Promise<void> | null = null;
  private readonly log: Logger;

  private constructor(private readonly opts: StudioServerOptions) {
    this.log = opts.logger.child({ part: 'studio' });
    this.server = http.createServer((req, res) => {
      try {
        this.onRequest(req, res);
      } catch (err) {
        // Whatever a request carries, the studio (and the webcast it runs) stays up.
        this.log.error({ err: (err as Error).message }, 'studio: request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      }
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_CHUNK_BYTES + 4096,
      // Answer with the IPC protocol, never the first offered (ws's default), which would echo the tab secret.
      handleProtocols: (offered) => (offered.has(STUDIO_IPC_PROTOCOL) ? STUDIO_IPC_PROTOCOL : false),
    });
    this.server.on('upgrade', (req, socket, head) => {
      try {
        if (this.listenerClosed) {
          socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
          return;
        }
        const why = this.refuseUpgrade(req);
        if (why) {
          this.log.warn({ why }, 'studio: websocket refused');
          const status = why === 'not found' ? '404 Not Found' : why === 'bad request' ? '400 Bad Request' : '403 Forbidden';
          socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'studio: upgrade failed');
        socket.destroy();
      }
    });
  }

  static async start(opts: StudioServerOptions): Promise<StudioServer> {
    const s = new StudioServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(opts.port ?? 0, opts.listenHost ?? '127.0.0.1', () => resolve());
    });
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get listenPort(): number {
    return this.port;
  }

  /** The address to open, with the one-time token (null once it has been used). */
  get url(): string {
    return `${this.origin}/${this.token ? `?token=${this.token}` : ''}`;
  }

  get origin(): string {
    const h = this.opts.listenHost ?? '127.0.0.1';
    const shown = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h;
    return `http://${shown}:${this.port}`;
  }

  /**
   * First step of a shutdown: no new connection or window, while the open ones stay connected (so
   * they still hear the presenter end the session).
   */
  stopAccepting(): void {
    this.listenerClosed ??= new Promise<void>((r) => this.server.close(() => r()));
  }

  /**
   * Stops accepting, then closes every window's socket (1001, going away; ended hard after
   * closeGraceMs if the peer does not answer) and the HTTP server. Shut the presenter down before this,
   * so its final broadcasts reach the windows.
   */
  close(closeGraceMs = 1000): Promise<void> {
    this.closing ??= (async () => {
      this.stopAccepting();
      await Promise.all(
        [...this.sockets].map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              const hard = setTimeout(() => ws.terminate(), closeGraceMs);
              ws.once('close', () => {
                clearTimeout(hard);
                resolve();
              });
              ws.close(1001, 'The studio is closing');
            }),
        ),
      );
      this.wss.close();
      this.server.closeAllConnections();
      await this.listenerClosed;
    })();
    return this.closing;
  }

  dispose(): void {
    void this.close();
  }

  private allowedHost(hostHeader: string | undefined): boolean {
    const h = this.opts.listenHost ?? '127.0.0.1';
    if (h === '0.0.0.0' || h === '::') return typeof hostHeader === 'string' && hostHeader.length > 0;
    const names = new Set(['127.0.0.1', 'localhost', '[::1]', h.includes(':') ? `[${h}]` : h]);
    return [...names].some((n) => hostHeader === `${n}:${this.port}`);
  }

  /** The tab secret of the session this request's cookie names, or null without a valid cookie. */
  private session(req: http.IncomingMessage): string | null {
    const c = cookieValue(req.headers.cookie, COOKIE);
    if (c === null) return null;
    for (const [s, tab] of this.sessions) if (sameSecret(s, c)) return tab;
    return null;
  }

  private authed(req: http.IncomingMessage): boolean {
    return this.session(req) !== null;
  }

  private refuseUpgrade(req: http.IncomingMessage): string | null {
    const url = parseRequestUrl(req.url);
    if (!url) return 'bad request';
    if (url.pathname !== '/ipc') return 'not found';
    if (!this.allowedHost(req.headers.host)) return 'host';
    if (req.headers.origin !== `http://${req.headers.host}`) return 'origin';
    const tab = this.session(req);
    if (tab === null) return 'no session';
    const offered = tabSecretOf(String(req.headers['sec-websocket-protocol'] ?? '').split(','));
    if (offered === null || !sameSecret(offered, tab)) return 'no tab secret';
    return null;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
      res.end(body);
    };
    if (!this.allowedHost(req.headers.host)) return send(403, 'This studio answers only on its own address.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed\n');
    const url = parseRequestUrl(req.url);
    if (!url) return send(400, 'Bad request\n');
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (this.token && sameSecret(offered, this.token)) {
        // One use only: from now on the cookie is the credential, and the link is dead.
        this.token = null;
        const session = randomBytes(32).toString('base64url');
        const tab = randomBytes(32).toString('base64url');
        this.sessions.set(session, tab);
        this.log.info('studio: token exchanged for a session');
        // The tab secret rides in the fragment: the page keeps it, and no server or Referer sees it.
        res.writeHead(303, { location: `/#${TAB_FRAGMENT_KEY}=${tab}`, 'set-cookie': `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' });
        res.end();
        return;
      }
      this.log.warn('studio: a used or wrong token was offered');
      return send(403, 'This link has already been used or is not valid. Restart `tandem studio` for a new one.\n');
    }
    if (!this.authed(req)) return send(401, 'Open the link printed by `tandem studio` (it carries a one-time token).\n');
    this.serveFile(url.pathname, req, res);
  }

  private serveFile(pathname: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const root = path.resolve(this.opts.rendererDir);
    let rel: string;
    try {
      rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        return;
      }
      const ext = path.extname(file).toLowerCase();
      const headers: Record<string, string> = {
        'content-type': RENDERER_CONTENT_TYPES[ext] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': ext === '.html' ? 'no-store' : 'max-age=300',
      };
      if (ext === '.html') {
        headers['content-security-policy'] = RENDERER_CSP;
        headers['x-frame-options'] = 'DENY';
      }
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : data);
    });
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.once('close', () => this.sockets.delete(ws));
    serveStudioSocket(ws, `studio-${this.nextClient++}`, { ...this.opts, logger: this.log });
  }
}
