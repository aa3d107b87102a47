// The node's public HTTP port as a plain TCP listener that decides, per connection, what it speaks
// before HTTP sees a byte: a PROXY protocol header first (only from a --trusted-proxy peer: from
// anyone else it is not read, and HTTP refuses it as a bad request), then TLS (a first byte 0x16,
// a TLS handshake record) when the node has a certificate, else plain HTTP. One port thus serves
// https:// and wss:// to browsers and presenters, and plain http:// to balancers' health checks.
import net from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { normalizeAddress, rememberProxiedAddress } from '../control/client-address.js';
import { takeProxyHeader } from './proxy-protocol.js';

/** The first byte of a TLS record of type handshake (a ClientHello). */
const TLS_HANDSHAKE = 0x16;

export interface FrontDoorOptions {
  plain: HttpServer;
  /** Set when the node has a certificate. */
  secure: HttpsServer | null;
  /** Peers (normalized addresses) whose PROXY header names the client. */
  trustedProxies: ReadonlySet<string>;
  /** A connection that has not said what it speaks by then is cut (the HTTP headers timeout). */
  decideWithinMs: number;
  maxConnections: number;
}

export class FrontDoor {
  readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly o: FrontDoorOptions) {
    this.server = net.createServer((s) => this.accept(s));
    this.server.maxConnections = o.maxConnections;
  }

  /** Every connection still open (closing the node drops them all). */
  get openSockets(): ReadonlySet<net.Socket> {
    return this.sockets;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const trusted = this.o.trustedProxies.has(normalizeAddress(socket.remoteAddress ?? ''));
    // The common case costs nothing: no certificate and no balancer, so HTTP reads the socket itself.
    if (!trusted && !this.o.secure) return void this.o.plain.emit('connection', socket);
    this.sniff(socket, trusted);
  }

  /** Reads the PROXY header (a trusted peer's, if any) and the first byte after it; bounded in bytes and time. */
  private sniff(socket: net.Socket, trusted: boolean): void {
    const timer = setTimeout(() => socket.destroy(), this.o.decideWithinMs);
    socket.once('close', () => clearTimeout(timer));
    const decide = (read: Buffer) => {
      // A balancer may send its header alone; what follows decides TLS or not.
      if (read.length === 0 && this.o.secure) return void socket.once('data', decide);
      clearTimeout(timer);
      this.handOff(socket, read);
    };
    if (!trusted) return void socket.once('data', decide);
    takeProxyHeader(socket, (rest, address) => {
      if (address) rememberProxiedAddress(socket, address);
      decide(rest);
    });
  }

  /**
   * Gives the socket to the HTTPS or HTTP server along with the bytes already read. TLS reads them
   * back from the stream (unshift); Node's HTTP parser reads the socket's handle directly, so it is
   * given them as the data event it listens to, in the same tick, before any later bytes.
   */
  private handOff(socket: net.Socket, read: Buffer): void {
    if (this.o.secure && read[0] === TLS_HANDSHAKE) {
      socket.pause();
      socket.unshift(read);
      this.o.secure.emit('connection', socket);
      return;
    }
    this.o.plain.emit('connection', socket);
    if (read.length) socket.emit('data', read);
  }
}
