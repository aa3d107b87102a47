// `tandem-node cluster` prints the viewer links an operator shares (issue 10's "viewer links", part
// of issue 11's operator surface): each node's viewer page, and the balancer's first when given;
// each printed link opens a viewer page. A balancer address that is not http(s) is refused in words.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_BIN, runNodeCommand, waitFor } from '../support/node-process.js';
import { freePortRun } from '../support/ports.js';

let stop: (() => Promise<unknown>) | null = null;
afterAll(async () => {
  await stop?.();
});

describe('tandem-node cluster viewer links', () => {
  it('prints every node viewer page and the balancer address on start, and each node link serves the page', async () => {
    const [httpBase, rtmpBase] = [await freePortRun(2), await freePortRun(2)];
    const proc = spawn(process.execPath, [NODE_BIN, 'cluster', '--nodes', '2', '--http-base-port', String(httpBase), '--rtmp-base-port', String(rtmpBase), '--balancer-url', 'https://live.example.org'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    stop = () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      proc.once('exit', resolve);
      proc.kill('SIGTERM');
    });
    await waitFor(() => out.includes('Stop with Ctrl-C.'), 10_000, 'the cluster start-up text');
    const block = /Viewer links \(share these\):\n((?: {2}https?:\/\/\S+\n)+)/.exec(out);
    expect(block, out).not.toBeNull();
    const links = block![1]!.trim().split('\n').map((l) => l.trim());
    expect(links).toEqual(['https://live.example.org/', `http://127.0.0.1:${httpBase}/`, `http://127.0.0.1:${httpBase + 1}/`]);
    for (const link of links.slice(1)) {
      const page = await waitFor(async () => {
        const r = await fetch(link).catch(() => null);
        return r?.status === 200 ? r.text() : null;
      }, 30_000, `${link} serving`);
      expect(page).toContain('<video');
    }
  });

  it('refuses a balancer address that is not http(s), in words', async () => {
    const r = await runNodeCommand(['cluster', '--nodes', '1', '--balancer-url', 'ftp://x'], {});
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('--balancer-url must be an http:// or https:// address (got "ftp://x")');
  });
});
