// Issue 11: the packaged app's Electron fuses, read from electron-builder.yml as electron-builder
// reads it (js-yaml, which electron-builder itself depends on), and checked against the option
// names of the installed electron-builder's own schema, so a misspelt fuse fails here instead of
// being ignored or failing only in a release build.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '../..');
const require = createRequire(import.meta.url);
// js-yaml ships no types (and @types/js-yaml is not installed): its one function used here.
const yaml = require('js-yaml') as { load(text: string): unknown };

describe('electron-builder.yml fuses', () => {
  const config = yaml.load(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, unknown>; asarUnpack?: unknown };

  it('turns off every way to run the app as plain Node, and loads only an intact app.asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('unpacks nothing: the demo nodes run from inside the archive its integrity check covers', () => {
    expect(config.asarUnpack).toBeUndefined();
  });

  it('names only fuses the installed electron-builder knows', () => {
    const scheme = JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
    };
    const known = Object.keys(scheme.definitions.FuseOptionsV1.properties);
    for (const name of Object.keys(config.electronFuses ?? {})) expect(known, name).toContain(name);
  });
});
