// The node's public HTTP listener. Routes and WebSocket upgrades are registered by path, so other
// parts of Tandem (the control plane's /control endpoint) attach without touching this file.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { IDisposable } from '../../common/lifecycle.js';
import { normalizeAddress } from '../control/client-address.js';
import type { Logger } from '../logger.js';
import { FrontDoor } from './front-door.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;
export type PathMatcher = string | RegExp;

interface Entry<H> { match: PathMatcher; handler: H; methods?: readonly string[]; manualContinue?: boolean }

export interface RouteOptions {
  /**
   * The handler answers `Expect: 100-continue` itself (res.writeContinue() once it accepts the
   * body), so a sender it refuses learns why before sending a byte. Other routes get 100 Continue
   * at once, as Node does by default.
   */
  manualContinue?: boolean;
}

function matches(m: PathMatcher, pathname: string): boolean {
  return typeof m === 'string' ? m === pathname : m.test(pathname);
}

/** Closes a raw socket with a minimal HTTP answer (upgrades that nobody takes). */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.destroyed) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface PublicServerLimits {
  /** Headers of a request must all arrive within this (app/config.ts: 10 s). */
  httpHeadersTimeoutMs: number;
  maxHttpConnections: number;
  /** Balancers whose PROXY protocol header is read (app/http/front-door.ts); none by default. */
  trustedProxies?: readonly string[];
}

/** The node's key and certificate (PEM): given, the port also serves https:// and wss://. */
export interface PublicServerTls {
  key: Buffer;
  cert: Buffer;
}

export class PublicServer {
  private readonly server: http.Server;
  private readonly secure: https.Server | null;
  private readonly door: FrontDoor;
  private readonly routes: Entry<RequestHandler>[] = [];
  private readonly upgrades: Entry<UpgradeHandler>[] = [];
  private closing: Promise<void> | null = null;

  constructor(private readonly log: Logger, limits: PublicServerLimits, tlsFiles: PublicServerTls | null = null) {
    // Long-lived FLV responses must not be cut by a whole-request timeout (requestTimeout 0), but a
    // request's headers must arrive in time; Node checks that every connectionsCheckingInterval
    // (30 s by default, which kept half-sent requests open ~40 s): checked 4 times per timeout here.
    const options = {
      requestTimeout: 0,
      headersTimeout: limits.httpHeadersTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.floor(limits.httpHeadersTimeoutMs / 4)),
    };
    this.server = http.createServer(options, (req, res) => this.onRequest(req, res));
    // The same routes over TLS; a TLS handshake must finish within the headers timeout too.
    this.secure = tlsFiles
      ? https.createServer({ ...options, key: tlsFiles.key, cert: tlsFiles.cert, handshakeTimeout: limits.httpHeadersTimeoutMs }, (req, res) => this.onRequest(req, res))
      : null;
    // Sockets whose TLS handshake completed: only those can be answered in HTTP.
    const secured = new WeakSet<object>();
    this.secure?.on('secureConnection', (s) => secured.add(s));
    for (const server of [this.server, this.secure]) {
      if (!server) continue;
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
      server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res, true));
      server.on('clientError', (_err, socket) => {
        // A handshake that failed or timed out has no channel to answer on: closed outright, or it
        // would stay open (found by test/integration/security-node-tls-timeouts.test.ts).
        if (server === this.secure && !secured.has(socket)) return void socket.destroy();
        refuseUpgrade(socket, 400, 'Bad Request');
      });
    }
    this.secure?.on('tlsClientError', () => undefined); // a scanner's bad handshake: the socket is already closed
    this.door = new FrontDoor({
      plain: this.server,
      secure: this.secure,
      trustedProxies: new Set((limits.trustedProxies ?? []).map(normalizeAddress)),
      decideWithinMs: limits.httpHeadersTimeoutMs,
      maxConnections: limits.maxHttpConnections,
    });
  }

  /** Handles `method` requests whose path matches; the first registered match wins. */
  route(methods: readonly string[], match: PathMatcher, handler: RequestHandler, o: RouteOptions = {}): IDisposable {
    return this.add(this.routes, { match, handler, methods, manualContinue: o.manualContinue });
  }

  /** Takes WebSocket (or other) upgrades whose path matches, e.g. `/control` for the control plane. */
  upgrade(match: PathMatcher, handler: UpgradeHandler): IDisposable {
    return this.add(this.upgrades, { match, handler });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const door = this.door.server;
      door.once('error', reject);
      door.listen(port, host, () => {
        door.off('error', reject);
        // The HTTP servers never listen themselves (the front door hands them sockets); their
        // headers-timeout checks start on 'listening', so they are told.
        this.server.emit('listening');
        this.secure?.emit('listening');
        resolve();
      });
    });
  }

  get address(): { port: number } | null {
    const a = this.door.server.address();
    return a && typeof a === 'object' ? { port: a.port } : null;
  }

  /** Idempotent: stops listening and drops every open connection (viewers reconnect elsewhere). */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      const door = this.door.server;
      door.close(() => resolve());
      // Stops their headers-timeout checks; they were never listening, so the callback's error is expected.
      this.server.close(() => undefined);
      this.secure?.close(() => undefined);
      for (const s of this.door.openSockets) s.destroy();
      if (!door.listening) resolve();
    });
    return this.closing;
  }

  private add<H>(list: Entry<H>[], e: Entry<H>): IDisposable {
    list.push(e);
    return {
      dispose: () => {
        const i = list.indexOf(e);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  private parse(req: IncomingMessage): URL | null {
    try {
      return new URL(req.url ?? '/', 'http://node.invalid');
    } catch {
      return null;
    }
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, expectsContinue = false): void {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    const url = this.parse(req);
    if (!url) return sendJson(res, 400, { error: 'bad request' });
    const pathMatches = this.routes.filter((r) => matches(r.match, url.pathname));
    const route = pathMatches.find((r) => !r.methods || r.methods.includes(req.method ?? ''));
    if (!route) {
      if (pathMatches.length) return sendJson(res, 405, { error: 'method not allowed' });
      return sendJson(res, 404, { error: 'not found' });
    }
    if (expectsContinue && !route.manualContinue) res.writeContinue();
    // Through a promise even when the handler throws synchronously: one bad route never takes the node down.
    Promise.resolve()
      .then(() => route.handler(req, res, url))
      .catch((err: unknown) => {
        this.log.error({ err: String(err), path: url.pathname }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = this.parse(req);
    const entry = url && this.upgrades.find((u) => matches(u.match, url.pathname));
    if (!url || !entry) return refuseUpgrade(socket, 404, 'Not Found');
    try {
      entry.handler(req, socket, head, url);
    } catch (err) {
      this.log.error({ err: String(err), path: url.pathname }, 'upgrade failed');
      socket.destroy();
    }
  }
}
