// FLV playback on the public port, for GET /live/<name>.flv only: the media core's other HTTP
// surface (publishing over HTTP/WS, its API) never becomes reachable from the internet.
// HTTP-FLV is relayed from the media core's loopback listener; a WebSocket-FLV viewer's socket is
// handed to the media core, which then serves it directly.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { STREAM_NAME_SOURCE } from '../../common/limits.js';
import { PUBLISH_APP } from '../../common/publish-auth.js';
import type { MediaCore } from '../media/media-core.js';
import { pipeBoth } from '../pipe.js';
import { refuseUpgrade, sendJson } from './public-server.js';

export const FLV_PATH = new RegExp(`^/${PUBLISH_APP}/(${STREAM_NAME_SOURCE})\\.flv$`);

// Headers a WebSocket handshake needs; everything else (cookies, extensions) stays at the edge.
const WS_HEADERS = ['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'origin', 'user-agent'];

export class FlvProxy {
  constructor(private readonly media: MediaCore) {}

  readonly http = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const name = FLV_PATH.exec(url.pathname)?.[1];
    const ports = this.media.internalPorts;
    if (!name) return sendJson(res, 404, { error: 'not found' });
    if (!ports) return sendJson(res, 503, { error: 'media core unavailable' });
    const upstream = http.request({
      host: '127.0.0.1',
      port: ports.http,
      method: 'GET',
      path: `/${PUBLISH_APP}/${name}.flv`,
      headers: { host: req.headers.host ?? 'localhost', 'user-agent': req.headers['user-agent'] ?? '' },
    });
    upstream.on('response', (up) => {
      res.writeHead(up.statusCode ?? 502, {
        'content-type': 'video/x-flv',
        'cache-control': 'no-store',
        // The viewer page of one node plays from every node of the cluster.
        'access-control-allow-origin': '*',
      });
      if (req.method === 'HEAD') {
        res.end();
        upstream.destroy();
        return;
      }
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : sendJson(res, 502, { error: 'media core unavailable' })));
    res.on('close', () => upstream.destroy());
    upstream.end();
  };

  readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void => {
    const name = FLV_PATH.exec(url.pathname)?.[1];
    if (!name || req.method !== 'GET') return refuseUpgrade(socket, 404, 'Not Found');
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuseUpgrade(socket, 400, 'Bad Request');
    if (req.headers['sec-websocket-protocol']) return refuseUpgrade(socket, 403, 'Forbidden'); // publishing over WS
    const path = `/${PUBLISH_APP}/${name}.flv`;
    const headers: Record<string, string> = {};
    for (const h of WS_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    // Normally the media core takes the socket and serves it: relaying every audio and video frame
    // through this process would cost as much CPU again. In a connection storm, relay instead.
    // A TLS socket's bytes are encrypted by this process: only a plain socket can be handed over.
    if (socket instanceof net.Socket && !(socket instanceof tls.TLSSocket) && this.media.adoptWebSocket(socket, path, headers, head)) return;
    const ports = this.media.internalPorts;
    if (!ports) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const lines = [`GET ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v.replace(/[\r\n]/g, '')}`)];
    const upstream = net.connect({ host: '127.0.0.1', port: ports.http });
    upstream.setNoDelay(true);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    pipeBoth(socket, upstream);
  };
}
