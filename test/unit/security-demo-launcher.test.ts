// Issue 11: demo nodes never run as ELECTRON_RUN_AS_NODE (off by fuse; on macOS such a process
// inherits the app's camera and microphone permission), and no demo process starts another (a
// utility process cannot run the app's binary as Node). The Electron shell (main/main.ts, bundled
// with a stand-in `electron`) starts each demo node itself through utilityProcess.fork, with its
// media core in-process, its secrets in the environment (never the arguments) and no
// ELECTRON_RUN_AS_NODE even when the app inherited one; given a launcher, the demo never falls back
// to plain Node; outside Electron, the Node launcher starts a real process with none either.
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { nodeLauncher, type ProcessLauncher } from '../../common/process-launcher.js';
import { startDemoCluster } from '../../main/demo/demo-cluster.js';
import { REPO } from '../support/node-process.js';
import type { FakeElectronRecord } from '../support/studio-fake-electron.js';
import { waitFor } from '../support/wait-for.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-demo-launcher-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe('demo nodes are launched without ELECTRON_RUN_AS_NODE', () => {
  it('the Electron shell starts each demo node itself with utilityProcess.fork', async () => {
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
      // One utility process per demo node, each a node itself: no cluster process in between.
      expect(rec.utilityForks).toHaveLength(2);
      const secrets = new Set<string>();
      rec.utilityForks.forEach((fork, i) => {
        expect(fork.modulePath).toBe(path.join(out, 'bin', 'tandem-node.mjs'));
        expect(fork.args).toContain('--media-in-process');
        expect(fork.args.slice(0, 2)).toEqual(['--node-id', `node-${i + 1}`]);
        expect(fork.args).not.toContain('cluster');
        expect(fork.options.stdio).toBe('pipe');
        const env = fork.options.env!;
        expect(env).toBeDefined();
        expect(env).not.toHaveProperty('ELECTRON_RUN_AS_NODE');
        // No stdin lifeline in a utility process: the node must not wait on one.
        expect(env).not.toHaveProperty('TANDEM_PARENT_STDIN');
        expect(env).toMatchObject({ TANDEM_LOG_LEVEL: 'warn' });
        // The publish secret and presenter token travel in the environment, as the cluster passes them.
        expect(env.TANDEM_SECRET).toMatch(/^[0-9a-f]{64}$/);
        expect(env.TANDEM_CONTROL_TOKEN).toMatch(/^[0-9a-f]{48}$/);
        for (const a of fork.args) expect([env.TANDEM_SECRET, env.TANDEM_CONTROL_TOKEN].some((x) => a.includes(x!))).toBe(false);
        secrets.add(env.TANDEM_SECRET!);
      });
      expect(secrets.size).toBe(2); // a secret per node
      expect(rec.errorBoxes[0]![1]).toMatch(/demo node node-[12] exited \(1\)/);
    } finally {
      for (const [k, v] of [['TANDEM_LOG_LEVEL', saved.level], ['TANDEM_DEMO', saved.demo], ['ELECTRON_RUN_AS_NODE', saved.runAsNode]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }, 30_000); // bundling main.ts takes seconds on a loaded machine

  it('never starts a demo node with the Node launcher when a launcher is given', async () => {
    const spy = vi.spyOn(nodeLauncher, 'launch');
    const launched: string[][] = [];
    const stand: ProcessLauncher = {
      kind: 'stand-in',
      launch(_modulePath, args) {
        launched.push([...args]);
        // A process that ends at once (code 1), as a node that cannot start would.
        let exited = false;
        const listeners: ((code: number | null) => void)[] = [];
        setImmediate(() => {
          exited = true;
          for (const l of listeners.splice(0)) l(1);
        });
        return {
          stdout: new PassThrough(),
          stderr: new PassThrough(),
          kill: () => {},
          onExit: (l) => (exited ? l(1) : void listeners.push(l)),
          get exited() {
            return exited;
          },
        };
      },
    };
    try {
      await expect(startDemoCluster({ launcher: stand, stateParent: out, timeoutMs: 5000 })).rejects.toThrow(/demo node node-[12] exited \(1\)/);
      expect(launched).toHaveLength(2);
      expect(spy).not.toHaveBeenCalled();
      // Its private state folder went with it.
      expect(fs.readdirSync(out).filter((f) => f.startsWith('tandem-demo-'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

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
