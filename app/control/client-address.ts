// Which address a control connection counts against: the socket's peer, or, when that peer is a
// configured load balancer, the address the balancer put last in X-Forwarded-For. Anyone else's
// X-Forwarded-For is ignored: a viewer could otherwise pick a fresh address per connection.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export function normalizeAddress(a: string): string {
  const s = a.trim();
  return s.startsWith('::ffff:') && net.isIPv4(s.slice(7)) ? s.slice(7) : s.toLowerCase();
}

export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.has(peer)) return peer;
  const xff = req.headers['x-forwarded-for'];
  const list = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  // The balancer appends the address it saw: the last entry. Earlier ones are the client's own claims.
  const last = list.at(-1);
  return last && net.isIP(normalizeAddress(last)) ? normalizeAddress(last) : peer;
}
