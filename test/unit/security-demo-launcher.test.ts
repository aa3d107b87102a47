// Issue 11: demo nodes never run as ELECTRON_RUN_AS_NODE (off by fuse; on macOS such a process
// inherits the app's camera and microphone permission). The Electron shell (main/main.ts, bundled
// with a stand-in `electron`) starts the demo cluster through utilityProcess.fork, with no
// ELECTRON_RUN_AS_NODE in its environment even when the app inherited one; outside Electron, the
// Node launcher starts a real process whose environment has none either.
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeLauncher } from '../../common/process-launcher.js';
import { REPO } from '../support/node-process.js';
import type { FakeElectronRecord } from '../support/studio-fake-electron.js';
import { waitFor } from '../support/wait-for.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-demo-launcher-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe('demo nodes are launched without ELECTRON_RUN_AS_NODE', () => {
  it('the Electron shell starts the demo cluster with utilityProcess.fork', async () => {
    const dist = path.join(out, 'dist', 'electron');
    await build({
      entryPoints: [path.join(REPO, 'main', 'main.ts')],
      outfile: path.join(dist, 'main.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      alias: { electron: path.join(REPO, 'test', 'support', 'studio-fake-electron.ts') },
      logLevel: 'silent',
      nodePaths: [path.join(REPO, 'node_modules')],
    });
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(out, 'node_modules'));
    const saved = { level: process.env.TANDEM_LOG_LEVEL, demo: process.env.TANDEM_DEMO, runAsNode: process.env.ELECTRON_RUN_AS_NODE };
    Object.assign(process.env, { TANDEM_LOG_LEVEL: 'silent', TANDEM_DEMO: '1', ELECTRON_RUN_AS_NODE: '1' });
    try {
      await import(pathToFileURL(path.join(dist, 'main.mjs')).href);
      const rec = (globalThis as { __fakeElectron?: FakeElectronRecord }).__fakeElectron!;
      // The stand-in process exits at once, so the shell reports that the demo could not start.
      await waitFor(() => rec.errorBoxes.length > 0, 10_000, 'the shell to report the stand-in cluster exiting');
      expect(rec.utilityForks).toHaveLength(1);
      const fork = rec.utilityForks[0]!;
      expect(fork.modulePath).toBe(path.join(out, 'bin', 'tandem-node.mjs'));
      expect(fork.args.slice(0, 3)).toEqual(['cluster', '--nodes', '2']);
      expect(fork.options.stdio).toBe('pipe');
      expect(fork.options.env).toBeDefined();
      expect(fork.options.env).not.toHaveProperty('ELECTRON_RUN_AS_NODE');
      // No stdin lifeline in a utility process: the cluster must not wait on one.
      expect(fork.options.env).not.toHaveProperty('TANDEM_PARENT_STDIN');
      expect(fork.options.env).toMatchObject({ TANDEM_LOG_LEVEL: 'warn' });
      expect(rec.errorBoxes[0]![1]).toMatch(/the demo cluster exited \(1\)/);
    } finally {
      for (const [k, v] of [['TANDEM_LOG_LEVEL', saved.level], ['TANDEM_DEMO', saved.demo], ['ELECTRON_RUN_AS_NODE', saved.runAsNode]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }, 30_000); // bundling main.ts takes seconds on a loaded machine

  it('the Node launcher strips ELECTRON_RUN_AS_NODE from a real child and gives it the stdin lifeline', async () => {
    const script = path.join(out, 'print-env.mjs');
    fs.writeFileSync(script, 'process.stdout.write(JSON.stringify({ runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null, lifeline: process.env.TANDEM_PARENT_STDIN ?? null, args: process.argv.slice(2) }));\n');
    const child = nodeLauncher.launch(script, ['a', 'b'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, name: 'print-env' });
    let text = '';
    child.stdout!.on('data', (d) => (text += String(d)));
    const code = await new Promise<number | null>((resolve) => child.onExit(resolve));
    expect(code).toBe(0);
    expect(JSON.parse(text)).toEqual({ runAsNode: null, lifeline: '1', args: ['a', 'b'] });
    expect(nodeLauncher.kind).toBe('node-child-process');
  }, 20_000);
});
