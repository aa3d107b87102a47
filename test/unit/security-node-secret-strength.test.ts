// The one rule for secrets and tokens (common/secret-strength.ts), and the node refusing weak ones
// in words: 16 identical characters were accepted before.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../app/config.js';
import { ConfigError, WeakSecretError } from '../../app/errors.js';
import { estimatedSecretBits, secretWeakness } from '../../common/secret-strength.js';

const STRONG = randomBytes(32).toString('hex');

describe('secret strength', () => {
  it('refuses short, one-character, repeated-pattern and low-entropy strings, each in words', () => {
    expect(secretWeakness('short')).toMatch(/too short \(at least 16 characters\)/);
    expect(secretWeakness('a'.repeat(16))).toMatch(/one character makes up most of it/);
    expect(secretWeakness('aaaaaaaaaaaaaaab')).toMatch(/one character/);
    expect(secretWeakness('abababababababab')).toMatch(/one short pattern repeated/);
    expect(secretWeakness('password'.repeat(2))).toMatch(/pattern repeated/);
    expect(secretWeakness('1234567890123457')).toMatch(/about 53 bits, under 64/); // 16 decimal digits
  });

  it('accepts generated secrets and mixed strings of 64 bits or more', () => {
    expect(secretWeakness(STRONG)).toBeNull();
    expect(secretWeakness(randomBytes(8).toString('hex'))).toBeNull(); // 16 hex digits: ~83 bits
    expect(secretWeakness(randomBytes(12).toString('base64url'))).toBeNull();
    expect(secretWeakness('31415926535897932384')).toBeNull(); // 20 digits: ~66 bits
    expect(secretWeakness(STRONG.slice(0, 16).repeat(2))).toBeNull(); // a strong 16 repeated counts once, and passes
    expect(estimatedSecretBits('abcdefghijklmnop')).toBeCloseTo(16 * Math.log2(26));
  });

  it('the node refuses a weak publish secret and a weak control token, and says why', () => {
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: 'x'.repeat(16) } })).toThrow(WeakSecretError);
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: 'x'.repeat(64) } })).toThrow(/publish secret is too weak: one character makes up most of it; generate one with `openssl rand -hex 32`/);
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: STRONG, TANDEM_CONTROL_TOKEN: 't'.repeat(32) } })).toThrow(ConfigError);
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: STRONG, TANDEM_CONTROL_TOKEN: 'abcd'.repeat(8) } })).toThrow(/control token is too weak: it is one short pattern repeated/);
    expect(loadNodeConfig({ argv: [], env: { TANDEM_SECRET: STRONG, TANDEM_CONTROL_TOKEN: STRONG.slice(0, 32) } }).controlToken).toBe(STRONG.slice(0, 32));
  });
});
