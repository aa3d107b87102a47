import { describe, expect, it } from 'vitest';
import {
  joinPublishUrl,
  maskPublishUrl,
  parseRtmpTarget,
  publishUrlProblem,
  publishUrlSecrets,
  samePublishHost,
  splitPublishUrl,
} from '../../common/publish-url.js';
import { signPublishUrl, verifyPublishSignature } from '../../common/publish-auth.js';

describe('publish URLs: one rule for every side', () => {
  it('joins a URL and a key typed in two fields, keeping a signed key\'s query verbatim', () => {
    expect(joinPublishUrl('rtmp://h:1935/live', 'main?sign=v1.2.ab')).toBe('rtmp://h:1935/live/main?sign=v1.2.ab');
    expect(joinPublishUrl('rtmp://h:1935/live/', '/main')).toBe('rtmp://h:1935/live/main');
    expect(joinPublishUrl(' rtmp://h/live ', ' key ')).toBe('rtmp://h/live/key');
    expect(joinPublishUrl('rtmp://h/live', '?k=1')).toBe('rtmp://h/live?k=1');
    expect(joinPublishUrl('rtmp://h/live/main?sign=x', '')).toBe('rtmp://h/live/main?sign=x');
    expect(joinPublishUrl('rtmp://h/live/main?sign=x', undefined)).toBe('rtmp://h/live/main?sign=x');
    expect(joinPublishUrl('rtmp://h/live?a=1', 'main?b=2')).toBe('rtmp://h/live/main?a=1&b=2');
  });

  it('a signed URL split, stored and joined again still verifies on the node (the %3F bug)', () => {
    const full = signPublishUrl({ base: 'rtmp://127.0.0.1:1935', stream: 'main', secret: 's'.repeat(32), ttlSeconds: 60 });
    const { base, secret } = splitPublishUrl(full);
    expect(base).toBe('rtmp://127.0.0.1:1935/live');
    expect(secret.startsWith('main?sign=')).toBe(true);
    const joined = joinPublishUrl(base, secret);
    expect(joined).toBe(full);
    expect(joined).not.toContain('%3F');
    const u = new URL(joined);
    expect(verifyPublishSignature('s'.repeat(32), u.pathname, u.searchParams.get('sign')).ok).toBe(true);
  });

  it('splits into the visible base and the secret rest', () => {
    expect(splitPublishUrl('rtmp://h:1935/live/main?sign=v1.2.ab')).toEqual({ base: 'rtmp://h:1935/live', secret: 'main?sign=v1.2.ab' });
    expect(splitPublishUrl('rtmps://h/app')).toEqual({ base: 'rtmps://h/app', secret: '' });
    expect(splitPublishUrl('rtmp://h/app/a/b')).toEqual({ base: 'rtmp://h/app', secret: 'a/b' });
  });

  it('masks the key and the query for logs and the UI', () => {
    expect(maskPublishUrl('rtmp://h:1935/live/main?sign=abc')).toBe('rtmp://h:1935/live/••••');
    expect(maskPublishUrl('rtmp://h/live?sign=abc')).toBe('rtmp://h/live/••••');
    expect(maskPublishUrl('rtmp://h/live')).toBe('rtmp://h/live');
    expect(maskPublishUrl('not a url')).toBe('(invalid url)');
  });

  it('lists the secrets a URL holds, raw and encoded', () => {
    const s = publishUrlSecrets('rtmp://h:1935/live/main?sign=v1.9.ab+cd');
    expect(s).toEqual(expect.arrayContaining(['main', 'sign=v1.9.ab+cd', 'v1.9.ab cd', encodeURIComponent('v1.9.ab cd')]));
    expect(publishUrlSecrets('rtmp://h/live')).toEqual([]);
    expect(publishUrlSecrets('garbage')).toEqual([]);
  });

  it('parses what connect and publish send', () => {
    expect(parseRtmpTarget('rtmp://h/live/main?sign=x')).toEqual({
      scheme: 'rtmp:', host: 'h', port: 1935, app: 'live', streamName: 'main?sign=x', tcUrl: 'rtmp://h:1935/live', where: 'h:1935',
    });
    expect(parseRtmpTarget('rtmps://[::1]/app/k').port).toBe(443);
    expect(parseRtmpTarget('rtmps://[::1]/app/k').host).toBe('::1');
    expect(parseRtmpTarget('rtmps://[::1]/app/k').tcUrl).toBe('rtmps://[::1]:443/app');
    expect(() => parseRtmpTarget('http://h/live')).toThrow(/rtmp:\/\//);
    expect(() => parseRtmpTarget('rtmp://h/')).toThrow(/no application/);
  });

  it('says what is wrong with a typed URL in words', () => {
    expect(publishUrlProblem('')).toBe('Enter the server URL');
    expect(publishUrlProblem('http://h/live')).toBe('The URL must start with rtmp:// or rtmps://');
    expect(publishUrlProblem('rtmp://127.0.0.1:99999/live')).toMatch(/port must be a number from 1 to 65535.*99999/);
    expect(publishUrlProblem('rtmp://127.0.0.1:0/live')).toMatch(/port must be/);
    expect(publishUrlProblem('rtmp://h')).toMatch(/application/);
    expect(publishUrlProblem('rtmp://h/live')).toBeNull();
    expect(publishUrlProblem('rtmps://[::1]:443/live/key?sign=x')).toBeNull();
  });

  it('tells whether a stored key may follow an edited URL (same scheme, host and port)', () => {
    expect(samePublishHost('rtmp://h/live', 'rtmp://h:1935/other')).toBe(true);
    expect(samePublishHost('rtmp://h/live', 'rtmps://h/live')).toBe(false);
    expect(samePublishHost('rtmp://h/live', 'rtmp://evil/live')).toBe(false);
    expect(samePublishHost('rtmp://h/live', 'bad')).toBe(false);
  });
});
