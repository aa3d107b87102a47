// Which address a connection counts against: the socket's peer, or, when that peer is a configured
// load balancer, the client it names: in a PROXY protocol header (app/http/front-door.ts records it
// here) or else the address it put last in X-Forwarded-For. Anyone else's claims are ignored: a
// viewer could otherwise pick a fresh address per connection.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export function normalizeAddress(a: string): string {
  const s = a.trim();
  return s.startsWith('::ffff:') && net.isIPv4(s.slice(7)) ? s.slice(7) : s.toLowerCase();
}

/** Client addresses a trusted balancer gave in a PROXY header, by the socket it came on. */
const proxied = new WeakMap<object, string>();

/** Called by the front door once a trusted balancer's PROXY header named the client. */
export function rememberProxiedAddress(socket: object, address: string): void {
  proxied.set(socket, normalizeAddress(address));
}

/** The PROXY-given address of this socket, or of the raw socket a TLS socket wraps (`_parent`). */
function proxiedAddress(socket: object): string | undefined {
  return proxied.get(socket) ?? ((socket as { _parent?: object })._parent ? proxied.get((socket as { _parent: object })._parent) : undefined);
}

export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.has(peer)) return peer;
  const fromProxy = proxiedAddress(req.socket);
  if (fromProxy) return fromProxy;
  const xff = req.headers['x-forwarded-for'];
  const list = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  // The balancer appends the address it saw: the last entry. Earlier ones are the client's own claims.
  const last = list.at(-1);
  return last && net.isIP(normalizeAddress(last)) ? normalizeAddress(last) : peer;
}
