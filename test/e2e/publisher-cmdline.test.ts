// Keys never in any process's arguments: while `tandem live --servers-file` and the studio (driven
// in Chromium) are both live on a real Tandem node, every process's /proc/PID/cmdline is read, and
// neither stream key nor signature is in any of them; no ffmpeg carries an rtmp:// URL.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishUrlSecrets, splitPublishUrl } from '../../common/publish-url.js';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { REPO, startNode, type NodeProcess } from '../support/node-process.js';
import { childPids } from '../support/procs.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { waitFor } from '../support/wait-for.js';
import { sharedRendererDir } from '../support/renderer-build.js';

let rendererDir: string;
let tmp: string;
let studio: StudioProcess;
let browser: Browser;
let node: NodeProcess;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-cmdline-'));
  rendererDir = await sharedRendererDir();
  node = await startNode({ env: { TANDEM_NODE_ID: 'cmdline-1' } });
  studio = await startStudio({ rendererDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await node?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every process's command line, arguments joined by spaces. */
function commandLines(): Map<number, string> {
  const out = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.set(Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

describe('keys in process arguments', () => {
  it('are in none while tandem live --servers-file and the studio publish to a signed node', async () => {
    const cliUrl = node.publishUrl('cli');
    const studioUrl = node.publishUrl('studio');
    const file = path.join(tmp, 'servers.txt');
    fs.writeFileSync(file, `# the node\n${cliUrl}\n`, { mode: 0o600 });
    const cli = spawn(process.execPath, [path.join(REPO, 'bin', 'tandem.mjs'), 'live', '--servers-file', file, '--json', '--size', '320x240', '--duration', '120'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let cliOut = '';
    cli.stdout.on('data', (d) => (cliOut += d));
    cli.stderr.on('data', (d) => (cliOut += d));
    try {
      const page = await browser.context.newPage();
      await page.goto(studio.url);
      await page.waitForSelector('[data-testid="add-server"]', { timeout: 20_000 });
      const { base, secret } = splitPublishUrl(studioUrl);
      await page.click('[data-testid="add-server"]');
      const form = page.locator('[data-testid="server-form"]');
      // The studio makes the id from the name: "Signed" → signed.
      await form.locator('input[name="label"]').fill('Signed');
      await form.locator('input[name="url"]').fill(base);
      await form.locator('input[name="streamKey"]').fill(secret);
      await page.click('[data-testid="save-server"]');
      await page.waitForSelector('[data-testid="server-signed"]', { timeout: 10_000 });
      await page.click('[data-testid="go-live"]');
      await waitFor(
        async () => (await page.getAttribute('[data-testid="tile-signed"]', 'data-state', { timeout: 1000 }).catch(() => null)) === 'live',
        { timeoutMs: 30_000, what: 'the studio live on the node', intervalMs: 250 },
      );
      await waitFor(() => /"state":"live"/.test(cliOut), { timeoutMs: 20_000, what: 'tandem live live on the node' });
      await waitFor(async () => (await node.metric('tandem_live_streams')) === 2, { timeoutMs: 10_000, what: 'two live streams on the node' });

      // The studio's local recording (on by default) starts with the first media it copies.
      const isRecorder = (l: string) => /^\S*ffmpeg .*-f matroska .*\.mkv$/.test(l.trim());
      await waitFor(() => childPids(studio.proc.pid!).some((pid) => isRecorder(commandLines().get(pid) ?? '')), { timeoutMs: 15_000, what: 'the studio recording' });

      const secrets = [...publishUrlSecrets(cliUrl), ...publishUrlSecrets(studioUrl)].filter((s) => s.length >= 8);
      expect(secrets.length).toBeGreaterThanOrEqual(4);
      const lines = commandLines();
      // The scan sees the processes that matter: the CLI (with its file, not its key) and encoders.
      expect(lines.get(cli.pid!)).toContain(`--servers-file ${file}`);
      // One encoder per engine (the CLI's and the studio's) and the studio's local recording (on by
      // default, a copy of what its encoder made, into a .mkv); nothing per server.
      const ours = [...childPids(cli.pid!), ...childPids(studio.proc.pid!)];
      const encoders = ours.map((pid) => lines.get(pid) ?? '').filter((l) => /^\S*ffmpeg /.test(l));
      const recorders = encoders.filter(isRecorder);
      expect(recorders.map((l) => childPids(studio.proc.pid!).some((pid) => lines.get(pid) === l))).toEqual([true]);
      expect(encoders.length - recorders.length).toBe(2);
      for (const [pid, line] of lines) {
        for (const s of secrets) expect(line.includes(s), `process ${pid} carries a secret: ${line.slice(0, 120)}`).toBe(false);
      }
      for (const line of encoders) expect(line).not.toMatch(/rtmps?:\/\//);
      // (Other test runs on this machine may have their own ffmpeg publishers: only ours are judged.)
      await page.close();
    } finally {
      cli.kill('SIGINT');
      await new Promise((r) => (cli.exitCode !== null ? r(null) : cli.once('close', r)));
    }
    expect(cliOut).not.toContain(splitPublishUrl(cliUrl).secret);
  });
});
