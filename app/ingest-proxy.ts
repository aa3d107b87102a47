// Public RTMP (and RTMPS) ingest: each connection is piped to the media core's loopback RTMP port.
// The media core never listens on a public address, and RTMPS is terminated here with the
// operator's key and certificate.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from './logger.js';
import type { MediaCore } from './media/media-core.js';
import { normalizeAddress } from './control/client-address.js';
import { takeProxyHeader } from './http/proxy-protocol.js';
import { pipeBoth } from './pipe.js';

export interface IngestOptions {
  host: string;
  rtmpPort: number;
  rtmps?: { port: number; key: Buffer; cert: Buffer };
}

export interface IngestLimits {
  /** A connection that has not sent C0, C1 and C2 by then is cut (app/config.ts: 5 s). */
  rtmpHandshakeTimeoutMs: number;
  maxRtmpConnections: number;
  /** Balancers whose PROXY protocol header (v1/v2) is read and removed before the RTMP bytes. */
  trustedProxies?: readonly string[];
}

/** C0 (1 byte) + C1 (1536) + C2 (1536): what a client sends to complete the RTMP handshake. */
const HANDSHAKE_BYTES = 1 + 1536 + 1536;

export class IngestProxy {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private closing: Promise<void> | null = null;

  private readonly trusted: ReadonlySet<string>;

  constructor(private readonly media: MediaCore, private readonly log: Logger, private readonly limits: IngestLimits) {
    this.trusted = new Set((limits.trustedProxies ?? []).map(normalizeAddress));
  }

  async listen(o: IngestOptions): Promise<void> {
    const plain = net.createServer((s) => this.accept(s));
    await this.start(plain, o.rtmpPort, o.host);
    if (o.rtmps) {
      const { key, cert } = o.rtmps;
      const secure = tls.createServer({ key, cert, handshakeTimeout: 10_000 }, (s) => this.accept(s));
      secure.on('tlsClientError', () => undefined);
      await this.start(secure, o.rtmps.port, o.host);
    }
  }

  /** Idempotent: stops listening and drops live ingest connections. */
  close(): Promise<void> {
    this.closing ??= Promise.all(
      this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))),
    ).then(() => undefined);
    for (const s of this.sockets) s.destroy();
    return this.closing;
  }

  private start(server: net.Server, port: number, host: string): Promise<void> {
    this.servers.push(server);
    server.maxConnections = this.limits.maxRtmpConnections;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log.error({ err: String(err) }, 'ingest listener error'));
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.setNoDelay(true);
    // The handshake's bound covers a balancer's PROXY header too (its bytes count towards C0–C2: a
    // few dozen more than the handshake's 3,073, so the bound stays what it says within that).
    this.cutIfNoHandshake(client);
    if (!this.trusted.has(normalizeAddress(client.remoteAddress ?? ''))) return this.connectUpstream(client, null);
    // The media core never needs the client's address: the header is only removed.
    takeProxyHeader(client, (rest) => this.connectUpstream(client, rest));
  }

  private connectUpstream(client: net.Socket, read: Buffer | null): void {
    const ports = this.media.internalPorts;
    if (!ports) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: ports.rtmp });
    upstream.setNoDelay(true);
    if (read?.length) upstream.write(read);
    pipeBoth(client, upstream);
  }

  /** Idle or trickling sockets hold a slot and an upstream connection: cut them unless the handshake completes in time. */
  private cutIfNoHandshake(client: net.Socket): void {
    let received = 0;
    const timer = setTimeout(() => client.destroy(), this.limits.rtmpHandshakeTimeoutMs);
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received < HANDSHAKE_BYTES) return;
      clearTimeout(timer);
      client.off('data', count);
    };
    client.on('data', count);
    client.once('close', () => clearTimeout(timer));
  }
}
