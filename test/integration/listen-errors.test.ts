// A port that is already taken is reported in words with the setting to change, not as a stack
// trace: by a node (its HTTP or RTMP port) and by the studio.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runNodeCommand } from '../support/node-process.js';
import { freePort } from '../support/ports.js';

let blocker: net.Server;
let busy: number;
const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-listen-'));

beforeAll(async () => {
  busy = await freePort();
  blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(busy, '0.0.0.0', () => r()));
});

afterAll(async () => {
  await new Promise((r) => blocker.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [path.join(REPO, 'bin', 'tandem.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d) => (output += d));
    proc.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('a port already in use', () => {
  it('stops a node with a sentence naming the port and the flags to change', async () => {
    const rtmp = await freePort();
    const r = await runNodeCommand(['--http-port', String(busy), '--rtmp-port', String(rtmp)], { TANDEM_SECRET: 'listen-test-secret-0123456789' });
    expect(r.code).toBe(1);
    expect(r.output).toContain(`tandem-node: Port ${busy} is already in use`);
    expect(r.output).toContain('--http-port / --rtmp-port');
    expect(r.output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('stops the studio with a sentence naming the port and --port', async () => {
    const renderer = path.join(dir, 'renderer');
    mkdirSync(renderer, { recursive: true });
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    const r = await run(['studio', '--port', String(busy), '--host', '0.0.0.0', '--data-dir', path.join(dir, 'data'), '--renderer-dir', renderer]);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`tandem: Port ${busy} is already in use`);
    expect(r.output).toContain('--port');
    expect(r.output).not.toMatch(/\n\s+at /);
  });
});
