import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../app/config.js';
import { ConfigError } from '../../app/errors.js';

const secret = 'control-config-test-secret-5e8d2b7a';
const TOKEN = '4f1c9e0b7a3d6e2f8c5b1a9d0e7f3c6b';
const TOKEN_IN_FILE = 'token-in-a-file-3b9e7c1d';

describe('control-plane config', () => {
  it('takes the presenter token from the environment or a file, and refuses a short one', () => {
    expect(loadNodeConfig({ argv: [], env: { TANDEM_SECRET: secret, TANDEM_CONTROL_TOKEN: TOKEN } }).controlToken).toBe(TOKEN);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-token-'));
    writeFileSync(path.join(dir, 'token'), TOKEN_IN_FILE + '\n');
    const c = loadNodeConfig({ argv: ['--control-token-file', 'token', '--control-dir', 'data'], env: { TANDEM_SECRET: secret }, cwd: dir });
    expect(c.controlToken).toBe(TOKEN_IN_FILE);
    expect(c.controlDir).toBe(path.join(dir, 'data'));
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: secret, TANDEM_CONTROL_TOKEN: 'short' } })).toThrow(ConfigError);
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: secret, TANDEM_CONTROL_TOKEN: 'short' } })).toThrow(/too short/);
    expect(loadNodeConfig({ argv: [], env: { TANDEM_SECRET: secret } }).controlToken).toBeUndefined();
  });
});
