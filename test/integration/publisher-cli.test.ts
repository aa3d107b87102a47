// `tandem live --servers-file`: the URLs come from a file (or stdin with -), comments and blank
// lines skipped; a missing or empty file is said in words; a key given with --server draws a warning.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/node-process.js';
import { freePort } from '../support/ports.js';

let dir: string;
let closed: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-servers-file-'));
  closed = await freePort();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function live(args: string[], stdin?: string): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin', 'tandem.mjs'), 'live', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.stderr.on('data', (d) => (text += d));
    p.stdin.end(stdin ?? '');
    p.on('close', (code) => resolve({ code, text }));
  });
}

describe('tandem live --servers-file', () => {
  it('reads every URL from the file, skipping comments and blank lines, and never prints the keys', async () => {
    const file = path.join(dir, 'servers.txt');
    fs.writeFileSync(file, `# two servers\n\nrtmp://127.0.0.1:${closed}/live/FILEKEY-ONE\n  rtmp://127.0.0.1:${closed}/live/FILEKEY-TWO?sign=abcdef123\n`, { mode: 0o600 });
    const out = await live(['--servers-file', file, '--json']);
    expect(out.code).toBe(2); // nothing listens: setup leaves nowhere to go live
    const setup = JSON.parse(out.text.split('\n').find((l) => l.includes('"event":"setup"'))!) as { servers: { id: string; result: string }[] };
    expect(setup.servers.map((s) => [s.id, s.result])).toEqual([['server-1', 'refused'], ['server-2', 'refused']]);
    expect(out.text).not.toMatch(/FILEKEY|abcdef123/);
    expect(out.text).not.toMatch(/warning/);
  });

  it('reads the list from stdin with -', async () => {
    const out = await live(['--servers-file', '-'], `rtmp://127.0.0.1:${closed}/live/STDINKEY-1\n`);
    expect(out.code).toBe(2);
    expect(out.text).toMatch(/server-1 +refused/);
    expect(out.text).not.toContain('STDINKEY');
  });

  it('says in words when the file is missing, lists no server, or stdin would carry both list and media', async () => {
    const missing = await live(['--servers-file', path.join(dir, 'nope.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.text).toMatch(/cannot read the servers file .*nope\.txt: no such file/);
    fs.writeFileSync(path.join(dir, 'empty.txt'), '# nothing yet\n\n');
    const empty = await live(['--servers-file', path.join(dir, 'empty.txt')]);
    expect(empty.code).toBe(2);
    expect(empty.text).toMatch(/lists no server \(one rtmp:\/\/ URL per line\)/);
    const both = await live(['--servers-file', '-', '--source', 'stdin']);
    expect(both.code).toBe(2);
    expect(both.text).toMatch(/stdin cannot carry both/);
  });

  it('warns that a key given with --server is readable by every user of the machine', async () => {
    const out = await live(['--server', `rtmp://127.0.0.1:${closed}/live/ARGKEY-123`]);
    expect(out.code).toBe(2);
    expect(out.text).toMatch(/warning: a stream key given with --server is readable by every user of this machine \(ps\); put the URLs in a file and use --servers-file/);
  });
});
