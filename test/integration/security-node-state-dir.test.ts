// A real node refuses a state folder (TANDEM_CONTROL_DIR) that another user planted or anyone may
// write, and a questions.jsonl that is a symlink (a viewer's question appended to, say, a shell
// start-up file); the cluster's own state folder is made fresh with mode 0700.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePrivateTempDir } from '../../app/control/private-dir.js';
import { freePorts } from '../support/ports.js';
import { runNodeCommand } from '../support/node-process.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tandem-sec-state-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Runs a node on `controlDir` until it exits (or 15 s): its exit code and output. */
async function runOn(controlDir: string) {
  const [http, rtmp] = await freePorts(2);
  return runNodeCommand(['--http-port', String(http), '--rtmp-port', String(rtmp), '--host', '127.0.0.1'], {
    TANDEM_SECRET: randomBytes(32).toString('hex'),
    TANDEM_CONTROL_DIR: controlDir,
  }, 15_000);
}

describe("the node's state folder", () => {
  it('refuses a folder owned by another user', async () => {
    const foreign = path.join(root, 'foreign');
    mkdirSync(foreign, { mode: 0o700 });
    chownSync(foreign, 65534, 65534); // nobody: the tests run as root
    const r = await runOn(foreign);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull(); // refused at once, not killed after the deadline
    expect(r.output).toMatch(/belongs to another user/);
  });

  it('refuses a folder others may write', async () => {
    const open = path.join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const r = await runOn(open);
    expect(r.code).not.toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/writable by other users/);
  });

  it('refuses a questions.jsonl that is a symlink, and writes nothing through it', async () => {
    const dir = path.join(root, 'planted');
    mkdirSync(dir, { mode: 0o700 });
    const victim = path.join(root, 'bashrc');
    writeFileSync(victim, '# a shell start-up file\n');
    symlinkSync(victim, path.join(dir, 'questions.jsonl'));
    const r = await runOn(dir);
    expect(r.code).not.toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/questions\.jsonl is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('# a shell start-up file\n');
  });

  it("makes the cluster's folder fresh and private (0700)", () => {
    const a = makePrivateTempDir(path.join(root, 'state'), 'tandem-cluster-');
    const b = makePrivateTempDir(path.join(root, 'state'), 'tandem-cluster-');
    expect(a).not.toBe(b);
    expect(statSync(a).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(root, 'state')).mode & 0o077).toBe(0);
  });
});
