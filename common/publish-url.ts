// The one home of how a publish URL is built, taken apart, shown and scrubbed. An RTMP publish
// target is `rtmp[s]://host[:port]/app` plus a stream key; the key may carry a query
// (`main?sign=…`, as signed URLs are handed out). The engine, the presenter profile, the CLI, the
// node's own URL signing and every log go through here, so the key's query is never re-encoded
// (`URL.pathname = …` turns `?` into `%3F`, which a node refuses as a bad path). It also says
// when a stored secret may follow an edited address (samePublishHost, sameControlOrigin).
import { controlSocketUrl } from './control-protocol.js';

export type PublishScheme = 'rtmp:' | 'rtmps:';

export interface PublishParts {
  /** `rtmp[s]://host[:port]/app`: the visible part, safe to show and store in settings. */
  base: string;
  /** Everything after the application: the stream key, with its query if it has one. Secret. */
  secret: string;
}

/** Default ports per scheme: RTMP 1935, RTMPS 443 (what YouTube, Twitch and ffmpeg assume). */
export function defaultPublishPort(scheme: string): number {
  return scheme === 'rtmps:' ? 443 : 1935;
}

/**
 * Joins a server URL and a stream key typed in two fields. The key is appended to the path as
 * typed (leading slashes dropped); a key with `?query` keeps the query verbatim. A URL that already
 * has a query and no key is returned as it is.
 */
export function joinPublishUrl(url: string, key?: string | null): string {
  const base = url.trim();
  const k = (key ?? '').trim().replace(/^\/+/, '');
  if (k === '') return base;
  if (k.startsWith('?')) return `${base.replace(/\/+$/, '')}${k}`;
  // A base URL with a query of its own keeps it after the key's path.
  const q = base.indexOf('?');
  const path = (q >= 0 ? base.slice(0, q) : base).replace(/\/+$/, '');
  const baseQuery = q >= 0 ? base.slice(q + 1) : '';
  const [keyPath = '', keyQuery = ''] = splitOnce(k, '?');
  const query = [baseQuery, keyQuery].filter(Boolean).join('&');
  return `${path}/${keyPath}${query ? `?${query}` : ''}`;
}

/** rtmp://h:1/live/key?sign=x → { base: 'rtmp://h:1/live', secret: 'key?sign=x' }. */
export function splitPublishUrl(full: string): PublishParts {
  const u = new URL(full.trim());
  const parts = u.pathname.split('/').filter(Boolean);
  const base = `${u.protocol}//${u.host}/${parts[0] ?? ''}`;
  return { base, secret: parts.slice(1).join('/') + u.search };
}

/** What an RTMP client sends: the app (in `connect`, and its tcUrl) and the stream name (in `publish`). */
export interface RtmpTarget {
  scheme: PublishScheme;
  host: string;
  port: number;
  app: string;
  /** The stream name with its query, as `publish(name)` takes it (servers read the query there). */
  streamName: string;
  /** `rtmp[s]://host:port/app`, as `connect`'s tcUrl (port always written, app decoded). */
  tcUrl: string;
  /** `host:port` (IPv6 in brackets), for sentences. */
  where: string;
}

/**
 * What is wrong with a server URL typed by a presenter, in words, or null when it is usable:
 * `rtmp[s]://host[:port]/app[/key][?query]`.
 */
export function publishUrlProblem(raw: string): string | null {
  const s = raw.trim();
  if (s === '') return 'Enter the server URL';
  if (!/^rtmps?:\/\//i.test(s)) return 'The URL must start with rtmp:// or rtmps://';
  const port = /^rtmps?:\/\/(?:\[[^\]]*\]|[^/:?#]*):(\d*)(?:[/?#]|$)/i.exec(s)?.[1];
  if (port !== undefined && (port === '' || Number(port) < 1 || Number(port) > 65535)) {
    return `The port must be a number from 1 to 65535 (the URL says "${port}")`;
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return 'This is not a valid URL: check for spaces or stray characters';
  }
  if (u.hostname === '') return 'The URL must name a host, like rtmp://host/live';
  if (u.pathname.split('/').filter(Boolean).length < 1) return 'The URL must name an application after the host, like rtmp://host/live';
  return null;
}

/** Parses a full publish URL into what `connect` and `publish` need; throws a TypeError in words. */
export function parseRtmpTarget(full: string): RtmpTarget {
  let u: URL;
  try {
    u = new URL(full.trim());
  } catch {
    throw new TypeError(`not a valid URL: ${maskPublishUrl(full)}`);
  }
  if (u.protocol !== 'rtmp:' && u.protocol !== 'rtmps:') throw new TypeError(`not an rtmp:// or rtmps:// URL: ${maskPublishUrl(full)}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new TypeError(`the URL names no host: ${maskPublishUrl(full)}`);
  const parts = u.pathname.split('/').filter(Boolean).map(safeDecode);
  const app = parts[0];
  if (app === undefined) throw new TypeError(`the URL names no application: ${maskPublishUrl(full)}`);
  const port = u.port ? Number(u.port) : defaultPublishPort(u.protocol);
  const where = `${u.hostname}:${port}`; // u.hostname keeps IPv6 brackets
  return {
    scheme: u.protocol,
    host,
    port,
    app,
    streamName: u.pathname.split('/').filter(Boolean).slice(1).join('/') + u.search,
    tcUrl: `${u.protocol}//${where}/${app}`,
    where,
  };
}

/** rtmp://host:port/app/key?sign=… → rtmp://host:port/app/•••• (query dropped): safe for logs and the UI. */
export function maskPublishUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return '(invalid url)';
  }
  const parts = u.pathname.split('/').filter(Boolean);
  const app = parts[0] ?? '';
  const masked = parts.length > 1 || u.search.length > 1 ? `/${app}/••••` : `/${app}`;
  return `${u.protocol}//${u.host}${masked}`;
}

/**
 * The parts of a publish URL that are secret: everything after the application (the stream key)
 * and every query value (signatures), raw and percent-encoded, as a program or a server may echo
 * them. Values shorter than 4 characters are left out (they would scrub ordinary words).
 */
export function publishUrlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return [];
  }
  const out = new Set<string>();
  const rest = u.pathname.split('/').filter(Boolean).slice(1);
  if (rest.length > 0) out.add(rest.join('/'));
  for (const seg of rest) {
    out.add(seg);
    out.add(safeDecode(seg));
  }
  for (const [, value] of u.searchParams) {
    out.add(value);
    out.add(encodeURIComponent(value));
  }
  if (u.search.length > 1) out.add(u.search.slice(1));
  return [...out].filter((x) => x.length >= 4);
}

/** Whether two publish URLs point at the same host (scheme, host and port): a stored key follows only that. */
export function samePublishHost(a: string, b: string): boolean {
  try {
    const x = new URL(a.trim());
    const y = new URL(b.trim());
    const port = (u: URL) => (u.port ? Number(u.port) : defaultPublishPort(u.protocol));
    return x.protocol === y.protocol && x.hostname === y.hostname && port(x) === port(y);
  } catch {
    return false;
  }
}

/**
 * Whether two control URLs reach the same node: the same socket scheme (so the same secure-ness),
 * host and port once each is turned into its WebSocket address, so http://h:1 and ws://h:1/control
 * agree and https://h vs http://h do not. A stored presenter token follows only that.
 */
export function sameControlOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(controlSocketUrl(a.trim())).origin;
    // Schemes with no origin of their own (anything but http(s)/ws(s)) say "null": never equal.
    return x !== 'null' && x === new URL(controlSocketUrl(b.trim())).origin;
  } catch {
    return false;
  }
}

/**
 * Whether a URL's hostname names this machine's loopback (localhost, 127.0.0.0/8, ::1, or 127/8
 * written as IPv4-mapped IPv6): the only place a secret may go over a cleartext ws:// socket.
 * 0.0.0.0 and the machine's own addresses are not loopback names (they may be reachable from
 * outside), so they do not count.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (/^127(\.\d{1,3}){3}$/.test(h)) return true;
  // new URL() writes ::ffff:127.0.0.1 as ::ffff:7f00:1 (first group 7f00–7fff).
  return /^::ffff:(127(\.\d{1,3}){3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(h);
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
