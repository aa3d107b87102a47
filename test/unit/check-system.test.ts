// scripts/check-system.mjs, as `npm test` runs it first: with a PATH that lacks the tools it names
// exactly those and the one command that installs them, and fails; with them on PATH it passes;
// --packages prints the list .ci/run installs, and the README names the same command.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/check-system.mjs');
const PACKAGES = 'ffmpeg nginx libnginx-mod-rtmp haproxy chromium openssl procps coreutils iproute2';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function binDir(tools: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-check-system-'));
  dirs.push(dir);
  for (const t of tools) fs.writeFileSync(path.join(dir, t), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return dir;
}

function run(args: string[], PATH: string) {
  // By absolute path: the PATH under test may not hold node itself.
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { env: { PATH }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const sudo = process.getuid?.() === 0 ? '' : 'sudo ';

describe('check-system', () => {
  it('names every tool missing from PATH and the one command that installs them, and fails', () => {
    const r = run([], binDir([]));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `Missing: ffmpeg, ffprobe (ffmpeg), haproxy, openssl, ps (procps). Install them with: ${sudo}apt-get install -y --no-install-recommends ${PACKAGES}\n`,
    );
  });

  it('names only what is missing', () => {
    const r = run([], binDir(['ffmpeg', 'ffprobe', 'openssl', 'ps']));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Missing: haproxy\. Install them with: /);
  });

  it('passes silently when every tool is there', () => {
    // The fixed-path ones (nginx, its RTMP module, chromium, stdbuf, ip) are this machine's own: the suite needs them anyway.
    const r = run([], binDir(['ffmpeg', 'ffprobe', 'haproxy', 'openssl', 'ps']));
    expect(r).toEqual({ code: 0, out: '', err: '' });
  });

  it('prints the Debian packages on one line for .ci/run, which installs them, and the README names the same command', () => {
    expect(run(['--packages'], binDir([]))).toEqual({ code: 0, out: `${PACKAGES}\n`, err: '' });
    const read = (f: string) => fs.readFileSync(path.resolve(import.meta.dirname, '../..', f), 'utf8');
    expect(read('.ci/run')).toContain('$(node scripts/check-system.mjs --packages)');
    expect(read('README.md')).toContain(`sudo apt-get install -y --no-install-recommends ${PACKAGES}\n`);
  });
});
