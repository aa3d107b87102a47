import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBrand } from '../../app/brand.js';
import { DEFAULT_BRAND_FILE, loadNodeConfig } from '../../app/config.js';
import { BrandError, ConfigError, WeakSecretError } from '../../app/errors.js';
import { buildNmsConfig } from '../../app/media/nms-bridge.js';
import { isKnownDefaultSecret } from '../../app/secret-check.js';

const SECRET = '0123456789abcdef0123456789abcdef';
// node-media-server's public default secret, assembled so the literal never sits in the code.
const LIBRARY_DEFAULT = ['nodemedia', '2017', 'privatekey'].join('');

describe('node config', () => {
  it('merges file < env < flags and validates', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-cfg-'));
    const file = path.join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ httpPort: 9000, rtmpPort: 9001, stream: 'fromfile', graceMs: 5000 }));
    const c = loadNodeConfig({ argv: ['--config', file, '--http-port', '9100'], env: { TANDEM_SECRET: SECRET, TANDEM_STREAM: 'fromenv' } });
    expect(c).toMatchObject({ httpPort: 9100, rtmpPort: 9001, stream: 'fromenv', graceMs: 5000, secret: SECRET, readyRequiresLive: false });
  });

  it('never echoes a broken config file (it may hold the secret) in its error', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-cfg-'));
    const file = path.join(dir, 'node.json');
    writeFileSync(file, `{\n  "httpPort": 9000,\n  "secret": ${SECRET}\n}\n`); // the secret lost its quotes
    let message = '';
    try {
      loadNodeConfig({ argv: ['--config', file], env: {} });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/is not valid JSON/);
    expect(message).not.toContain(SECRET.slice(0, 8));
    writeFileSync(file, '{\n  "httpPort": 9000,\n}\n');
    expect(() => loadNodeConfig({ argv: ['--config', file], env: {} })).toThrow(/not valid JSON \(line 3, column 1\)/);
  });

  it('reads the secret from a file and the cluster list from the environment', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-cfg-'));
    writeFileSync(path.join(dir, 'secret'), `${SECRET}\n`);
    const c = loadNodeConfig({ argv: ['--secret-file', path.join(dir, 'secret'), '--ready-requires-live'], env: { TANDEM_CLUSTER: 'http://a:1/, http://b:2' } });
    expect(c.secret).toBe(SECRET);
    expect(c.cluster).toEqual(['http://a:1', 'http://b:2']);
    expect(c.readyRequiresLive).toBe(true);
  });

  it('refuses to start without a secret, with the library default, or with a short one', () => {
    expect(() => loadNodeConfig({ argv: [], env: {} })).toThrow(WeakSecretError);
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: LIBRARY_DEFAULT } })).toThrow(/public default/);
    expect(isKnownDefaultSecret(` ${LIBRARY_DEFAULT.toUpperCase()} `)).toBe(true);
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: 'short' } })).toThrow(/too short/);
  });

  it('explains bad values in one sentence each', () => {
    const env = { TANDEM_SECRET: SECRET };
    expect(() => loadNodeConfig({ argv: ['--http-port', '70000'], env })).toThrow(/httpPort: Ports are 1–65535/);
    expect(() => loadNodeConfig({ argv: ['--stream', '../etc'], env })).toThrow(/stream: Stream names/);
    expect(() => loadNodeConfig({ argv: ['--rtmps-port', '1936'], env })).toThrow(/RTMPS needs both/);
    expect(() => loadNodeConfig({ argv: ['--cluster', 'ftp://x'], env })).toThrow(/Cluster nodes are base URLs/);
    expect(() => loadNodeConfig({ argv: ['--bogus'], env })).toThrow(ConfigError);
    expect(() => loadNodeConfig({ argv: ['--config', '/nonexistent/x.json'], env })).toThrow(/Cannot read config file/);
    expect(() => loadNodeConfig({ argv: ['--config', '/nonexistent/x.json'], env })).toThrow(/x\.json: it does not exist/);
    expect(() => loadNodeConfig({ argv: ['--http-port', 'eighty'], env })).toThrow(/^config: httpPort: Ports are 1–65535$/);
    expect(() => loadNodeConfig({ argv: ['--grace-ms', '5.5'], env })).toThrow(/graceMs: must be a whole number of milliseconds/);
  });

  it('runs node-media-server on loopback with no admin console, no API and no recording', () => {
    const nms = buildNmsConfig({ rtmpPort: 1, httpPort: 2, storeDir: '/tmp/x' }, 'internal');
    expect(nms).toMatchObject({ bind: '127.0.0.1', webadmin: { enable: false }, auth: { publish: true, play: false } });
    expect((nms.auth as Record<string, unknown>).jwt).toBeUndefined();
    expect(nms.record).toBeUndefined();
    expect(nms.https).toBeUndefined();
  });
});

describe('brand', () => {
  it('loads the default brand with its logo', () => {
    const b = loadBrand(DEFAULT_BRAND_FILE);
    expect(b.info.name).toBe('Tandem');
    expect(b.logo.contentType).toBe('image/svg+xml');
    expect(b.logo.body.toString()).toContain('<svg');
  });

  it('rejects colours that are not hex and logos outside the brand folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-brand-'));
    const file = path.join(dir, 'brand.json');
    const colors = { background: '#000', surface: '#111', text: '#fff', muted: '#999', accent: 'red;}' };
    writeFileSync(file, JSON.stringify({ name: 'X', logo: 'logo.svg', colors }));
    expect(() => loadBrand(file)).toThrow(BrandError);
    writeFileSync(file, JSON.stringify({ name: 'X', logo: '../../etc/passwd', colors: { ...colors, accent: '#f00' } }));
    expect(() => loadBrand(file)).toThrow(/next to the brand file/);
  });
});
