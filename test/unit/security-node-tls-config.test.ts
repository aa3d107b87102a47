// The node's TLS settings: a key and certificate alone now mean HTTPS/WSS on the HTTP port (they
// needed an RTMPS port before); one without the other, an unreadable file or a key that does not
// match the certificate stop the node with a sentence that names the files, never their content.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNodeConfig, readTlsPair } from '../../app/config.js';
import { ConfigError } from '../../app/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tandem-tls-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (n: string) => path.join(dir, n);
function makePair(name: string): void {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', file(`${name}-key.pem`), '-out', file(`${name}-cert.pem`)], { stdio: 'ignore' });
}
makePair('a');
makePair('b');
const env = { TANDEM_SECRET: randomBytes(32).toString('hex') };

describe('node TLS configuration', () => {
  it('takes a key and certificate without an RTMPS port (HTTPS on the HTTP port) and reads them once', () => {
    const c = loadNodeConfig({ argv: ['--tls-key', file('a-key.pem'), '--tls-cert', file('a-cert.pem')], env });
    expect(c.rtmpsPort).toBeUndefined();
    const pair = readTlsPair(c);
    expect(pair?.cert.equals(readFileSync(file('a-cert.pem')))).toBe(true);
    expect(readTlsPair(loadNodeConfig({ argv: [], env }))).toBeNull();
  });

  it('refuses one without the other, in words', () => {
    expect(() => loadNodeConfig({ argv: ['--tls-key', file('a-key.pem')], env })).toThrow(/TLS needs both a key \(--tls-key\) and a certificate \(--tls-cert\)/);
    expect(() => loadNodeConfig({ argv: ['--tls-cert', file('a-cert.pem')], env })).toThrow(/TLS needs both/);
  });

  it('refuses a missing file and a key of another certificate, naming the files and not their content', () => {
    const missing = loadNodeConfig({ argv: ['--tls-key', file('none.pem'), '--tls-cert', file('a-cert.pem')], env });
    expect(() => readTlsPair(missing)).toThrow(ConfigError);
    expect(() => readTlsPair(missing)).toThrow(`Cannot read TLS key ${file('none.pem')}: it does not exist`);
    const mixed = loadNodeConfig({ argv: ['--tls-key', file('a-key.pem'), '--tls-cert', file('b-cert.pem')], env });
    let message = '';
    try {
      readTlsPair(mixed);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(new RegExp(`^The TLS key ${file('a-key.pem')} and certificate ${file('b-cert.pem')} cannot be used: .*key values mismatch`));
    expect(message).not.toContain('PRIVATE KEY');
  });
});
