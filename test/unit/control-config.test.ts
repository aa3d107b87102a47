import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../app/config.js';
import { ConfigError } from '../../app/errors.js';

const secret = 'a'.repeat(40);

describe('control-plane config', () => {
  it('takes the presenter token from the environment or a file, and refuses a short one', () => {
    expect(loadNodeConfig({ argv: [], env: { TANDEM_SECRET: secret, TANDEM_CONTROL_TOKEN: 't'.repeat(32) } }).controlToken).toBe('t'.repeat(32));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-token-'));
    writeFileSync(path.join(dir, 'token'), 'f'.repeat(20) + '\n');
    const c = loadNodeConfig({ argv: ['--control-token-file', 'token', '--control-dir', 'data'], env: { TANDEM_SECRET: secret }, cwd: dir });
    expect(c.controlToken).toBe('f'.repeat(20));
    expect(c.controlDir).toBe(path.join(dir, 'data'));
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: secret, TANDEM_CONTROL_TOKEN: 'short' } })).toThrow(ConfigError);
    expect(() => loadNodeConfig({ argv: [], env: { TANDEM_SECRET: secret, TANDEM_CONTROL_TOKEN: 'short' } })).toThrow(/too short/);
    expect(loadNodeConfig({ argv: [], env: { TANDEM_SECRET: secret } }).controlToken).toBeUndefined();
  });
});
