// Signed publish URLs for Tandem server nodes: the presenter's side signs, the node verifies
// before node-media-server accepts the publish. HMAC-SHA256 over (stream path, expiry) with a
// per-node secret, so a leaked URL is good for one stream and a bounded time only.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { STREAM_NAME_PATTERN } from './limits.js';

/** The RTMP application every Tandem node serves. */
export const PUBLISH_APP = 'live';
/** The query parameter carrying the signature; `sign=` is already masked by common/redact.ts. */
export const SIGN_PARAM = 'sign';

const VERSION = 'v1';

export const publishAuthFailures = ['missing', 'malformed', 'expired', 'bad-path', 'bad-signature'] as const;
export type PublishAuthFailure = (typeof publishAuthFailures)[number];

export type PublishAuthResult = { ok: true } | { ok: false; code: PublishAuthFailure; message: string };

export function isValidStreamName(name: string): boolean {
  return STREAM_NAME_PATTERN.test(name);
}

/** `/live/<name>`; throws on a name that could escape its path segment. */
export function streamPath(name: string): string {
  if (!isValidStreamName(name)) throw new Error('Stream names use letters, digits, _ and - only');
  return `/${PUBLISH_APP}/${name}`;
}

function mac(secret: string, path: string, expiresAt: number): Buffer {
  // The version and a separator that cannot occur in a path keep the signed message unambiguous.
  return createHmac('sha256', secret).update(`tandem-publish-${VERSION}\n${path}\n${expiresAt}`).digest();
}

/** The `sign` value for publishing to `path` until `expiresAt` (unix seconds). */
export function signPublishPath(secret: string, path: string, expiresAt: number): string {
  if (!secret) throw new Error('A publish secret is required');
  if (!Number.isInteger(expiresAt) || expiresAt <= 0) throw new Error('expiresAt must be unix seconds');
  return `${VERSION}.${expiresAt}.${mac(secret, path, expiresAt).toString('base64url')}`;
}

export interface SignUrlOptions {
  /** rtmp[s]://host[:port], without application or stream. */
  base: string;
  stream: string;
  secret: string;
  /** Seconds from `now` until the URL stops working. */
  ttlSeconds: number;
  /** Epoch ms; injectable for tests. */
  now?: number;
}

export function signPublishUrl(o: SignUrlOptions): string {
  const path = streamPath(o.stream);
  const expiresAt = Math.floor((o.now ?? Date.now()) / 1000) + Math.max(1, Math.floor(o.ttlSeconds));
  const base = o.base.replace(/\/+$/, '');
  return `${base}${path}?${SIGN_PARAM}=${encodeURIComponent(signPublishPath(o.secret, path, expiresAt))}`;
}

/** Checks `sign` for `path`; pure and constant-time in the signature bytes. */
export function verifyPublishSignature(secret: string, path: string, sign: unknown, now = Date.now()): PublishAuthResult {
  if (typeof sign !== 'string' || sign.length === 0) {
    return { ok: false, code: 'missing', message: 'The publish URL carries no signature' };
  }
  const m = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(sign);
  if (!m) return { ok: false, code: 'malformed', message: 'The publish signature is malformed' };
  const segments = path.split('/');
  if (segments.length !== 3 || segments[0] !== '' || segments[1] !== PUBLISH_APP || !isValidStreamName(segments[2] ?? '')) {
    return { ok: false, code: 'bad-path', message: 'Publishing is allowed only to /live/<letters, digits, _ or ->' };
  }
  const expiresAt = Number(m[1]);
  if (expiresAt * 1000 < now) return { ok: false, code: 'expired', message: 'The publish URL has expired' };
  const given = Buffer.from(m[2] ?? '', 'base64url');
  const expected = mac(secret, path, expiresAt);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'bad-signature', message: 'The publish signature does not match this stream and node' };
  }
  return { ok: true };
}
