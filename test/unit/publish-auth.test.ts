import { describe, expect, it } from 'vitest';
import { isValidStreamName, signPublishPath, signPublishUrl, streamPath, verifyPublishSignature } from '../../common/publish-auth.js';

const SECRET = 'a-test-secret-of-some-length';
const NOW = 1_800_000_000_000;

function signOf(url: string): string {
  return decodeURIComponent(new URL(url.replace(/^rtmp/, 'http')).searchParams.get('sign') ?? '');
}

describe('publish auth', () => {
  it('accepts a signature for its own path before it expires', () => {
    const url = signPublishUrl({ base: 'rtmp://h:1935', stream: 'main', secret: SECRET, ttlSeconds: 60, now: NOW });
    expect(url).toMatch(/^rtmp:\/\/h:1935\/live\/main\?sign=v1\.\d+\./);
    expect(verifyPublishSignature(SECRET, '/live/main', signOf(url), NOW + 59_000)).toEqual({ ok: true });
  });

  it('rejects missing, malformed, expired, other-path and other-secret signatures', () => {
    const sign = signOf(signPublishUrl({ base: 'rtmp://h', stream: 'main', secret: SECRET, ttlSeconds: 60, now: NOW }));
    const code = (r: ReturnType<typeof verifyPublishSignature>) => (r.ok ? 'ok' : r.code);
    expect(code(verifyPublishSignature(SECRET, '/live/main', undefined, NOW))).toBe('missing');
    expect(code(verifyPublishSignature(SECRET, '/live/main', ['x'], NOW))).toBe('missing');
    expect(code(verifyPublishSignature(SECRET, '/live/main', 'garbage', NOW))).toBe('malformed');
    expect(code(verifyPublishSignature(SECRET, '/live/main', sign, NOW + 61_000))).toBe('expired');
    expect(code(verifyPublishSignature(SECRET, '/live/other', sign, NOW))).toBe('bad-signature');
    expect(code(verifyPublishSignature('another-secret-value', '/live/main', sign, NOW))).toBe('bad-signature');
    expect(code(verifyPublishSignature(SECRET, '/other/main', sign, NOW))).toBe('bad-path');
    expect(code(verifyPublishSignature(SECRET, '/live/../main', sign, NOW))).toBe('bad-path');
  });

  it('cannot be tricked by moving the expiry: it is part of the signed message', () => {
    const sign = signPublishPath(SECRET, '/live/main', Math.floor(NOW / 1000) + 10);
    const [v, , mac] = sign.split('.');
    const forged = `${v}.${Math.floor(NOW / 1000) + 100_000}.${mac}`;
    const r = verifyPublishSignature(SECRET, '/live/main', forged, NOW + 20_000);
    expect(r.ok).toBe(false);
  });

  it('allows only letters, digits, _ and - in stream names', () => {
    for (const ok of ['main', 'a_b-C9', 'x'.repeat(64)]) expect(isValidStreamName(ok)).toBe(true);
    for (const bad of ['', '..', '../etc', 'a/b', 'a.b', 'a b', 'a%2e', 'é', 'x'.repeat(65)]) expect(isValidStreamName(bad)).toBe(false);
    expect(() => streamPath('../x')).toThrow();
    expect(() => signPublishUrl({ base: 'rtmp://h', stream: 'a/b', secret: SECRET, ttlSeconds: 1 })).toThrow();
  });
});
