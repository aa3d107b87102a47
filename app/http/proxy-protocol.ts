// The PROXY protocol header (v1 text and v2 binary, haproxy.org/download/2.9/doc/proxy-protocol.txt)
// that a load balancer such as HAProxy (`send-proxy-v2`) puts before a connection's first byte to
// say whose connection it is. No maintained parser is in our dependencies; this is the one home.
// Only the source address is read: ports, destination and TLVs are skipped.
import net, { type Socket } from 'node:net';

/** v2 starts with these 12 bytes; no HTTP request, TLS record or RTMP handshake can. */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ');
/** The spec's bound for a v1 line, CRLF included. */
const V1_MAX = 107;
/** A v2 header carries at most 16 + 65535 bytes; balancers send a few hundred. Past this we stop reading. */
export const PROXY_HEADER_MAX = 16 + 4096;

export type ProxyParse =
  /** The bytes so far could still begin a header: read more. */
  | { kind: 'more' }
  /** No header: the connection's own bytes start at 0. */
  | { kind: 'none' }
  /** A header that breaks the protocol: the connection is to be closed. */
  | { kind: 'bad'; reason: string }
  /** A header of `length` bytes; `address` is the client's, or null for LOCAL / UNKNOWN (the balancer's own check). */
  | { kind: 'header'; length: number; address: string | null };

/** Whether `buf` is a (possibly partial) prefix of `sig`, or starts with all of it. */
function prefixOf(buf: Buffer, sig: Buffer): 'no' | 'partial' | 'full' {
  const n = Math.min(buf.length, sig.length);
  if (!buf.subarray(0, n).equals(sig.subarray(0, n))) return 'no';
  return buf.length >= sig.length ? 'full' : 'partial';
}

export function parseProxyHeader(buf: Buffer): ProxyParse {
  const v2 = prefixOf(buf, V2_SIGNATURE);
  if (v2 === 'full') return parseV2(buf);
  const v1 = prefixOf(buf, V1_PREFIX);
  if (v1 === 'full') return parseV1(buf);
  return v2 === 'partial' || v1 === 'partial' ? { kind: 'more' } : { kind: 'none' };
}

function parseV1(buf: Buffer): ProxyParse {
  const end = buf.subarray(0, V1_MAX).indexOf('\r\n');
  if (end < 0) return buf.length >= V1_MAX ? { kind: 'bad', reason: 'PROXY v1 line longer than 107 bytes' } : { kind: 'more' };
  const parts = buf.subarray(0, end).toString('latin1').split(' ');
  const length = end + 2;
  if (parts[1] === 'UNKNOWN') return { kind: 'header', length, address: null };
  const [, family, src, dst, sport, dport] = parts;
  const want = family === 'TCP4' ? 4 : family === 'TCP6' ? 6 : 0;
  if (parts.length !== 6 || want === 0 || net.isIP(src!) !== want || net.isIP(dst!) !== want || !isPort(sport!) || !isPort(dport!)) {
    return { kind: 'bad', reason: 'malformed PROXY v1 line' };
  }
  return { kind: 'header', length, address: src! };
}

function isPort(s: string): boolean {
  return /^\d{1,5}$/.test(s) && Number(s) <= 65535;
}

function parseV2(buf: Buffer): ProxyParse {
  if (buf.length < 16) return { kind: 'more' };
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return { kind: 'bad', reason: 'PROXY v2 header of an unknown version' };
  const length = 16 + buf.readUInt16BE(14);
  if (length > PROXY_HEADER_MAX) return { kind: 'bad', reason: 'PROXY v2 header too long' };
  if (buf.length < length) return { kind: 'more' };
  const command = verCmd & 0x0f;
  if (command === 0) return { kind: 'header', length, address: null }; // LOCAL: the balancer's own health check
  if (command !== 1) return { kind: 'bad', reason: 'PROXY v2 header with an unknown command' };
  const family = buf[13]! >> 4;
  const body = buf.subarray(16, length);
  if (family === 1) {
    if (body.length < 12) return { kind: 'bad', reason: 'PROXY v2 IPv4 addresses cut short' };
    return { kind: 'header', length, address: Array.from(body.subarray(0, 4)).join('.') };
  }
  if (family === 2) {
    if (body.length < 36) return { kind: 'bad', reason: 'PROXY v2 IPv6 addresses cut short' };
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(body.readUInt16BE(i).toString(16));
    // Written the way sockets write addresses (2001:db8::1), so one client is one key in the limits.
    return { kind: 'header', length, address: new net.SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address };
  }
  return { kind: 'header', length, address: null }; // UNSPEC or a unix socket: no client address to count
}

/**
 * Reads a PROXY header off a trusted balancer's socket if one comes first, then calls `done` with
 * the bytes after it (possibly none) and the client address (null without a header, or for LOCAL),
 * in the same tick as the data event, its own listener removed: whoever reads on loses nothing. A
 * broken or endless header destroys the socket. The caller bounds the wait (a timer of its own).
 */
export function takeProxyHeader(socket: Socket, done: (rest: Buffer, address: string | null) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const p = parseProxyHeader(buf);
    if (p.kind === 'more' && buf.length <= PROXY_HEADER_MAX) return;
    socket.off('data', onData);
    if (p.kind === 'more' || p.kind === 'bad') return void socket.destroy();
    if (p.kind === 'none') return done(buf, null);
    done(buf.subarray(p.length), p.address);
  };
  socket.on('data', onData);
}
