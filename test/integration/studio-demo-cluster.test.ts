// The studio's embedded demo cluster lives only as long as the studio: when the studio process is
// killed with SIGKILL (no handler runs), its nodes (started one by one, media cores in-process)
// notice through the end of the stdin pipe the studio held, and stop.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRenderer } from '../../scripts/build-renderer.js';
import { freePorts } from '../support/ports.js';
import { alive, childPids } from '../support/procs.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { waitFor, withDeadline } from '../support/wait-for.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('TANDEM_PARENT_STDIN', () => {
  it('a node whose stdin ends stops gracefully (exit 0), its media core with it, even with its output pipes gone', async () => {
    const [httpPort, rtmpPort] = await freePorts(2);
    const node = spawn(process.execPath, [path.join(ROOT, 'bin/tandem-node.mjs'), '--http-port', String(httpPort), '--rtmp-port', String(rtmpPort)], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TANDEM_SECRET: 'demo-cluster-test-secret-7f3a9c21e5b8', TANDEM_PARENT_STDIN: '1', TANDEM_LOG_LEVEL: 'info' },
    });
    try {
      let text = '';
      node.stdout.on('data', (d) => (text += d));
      await waitFor(() => text.includes('node serving') || node.exitCode !== null, { timeoutMs: 20_000, what: 'node serving' }).catch(() => {});
      expect(text).toContain('node serving');
      const media = childPids(node.pid!, 'media-child');
      expect(media).toHaveLength(1);
      const exited = new Promise<number | null>((r) => node.once('exit', (code) => r(code)));
      // As when the parent is killed: its ends of our stdout and stderr go too.
      node.stdout.destroy();
      node.stderr.destroy();
      node.stdin.end();
      expect(await withDeadline(exited, 10_000, 'the node to exit once its stdin ended').catch(() => 'still running')).toBe(0);
      expect(media.filter(alive)).toEqual([]);
    } finally {
      node.kill('SIGKILL');
    }
  });
});

describe('demo cluster', () => {
  it('stops its nodes when the studio process is killed with SIGKILL', async () => {
    const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-demo-renderer-'));
    const all: number[] = [];
    let studio: StudioProcess | null = null;
    try {
      await buildRenderer(rendererDir);
      // The real `tandem studio --demo`: it prints its link once both demo nodes serve.
      studio = await startStudio({ rendererDir, args: ['--demo'] });
      // The studio starts each node itself (no cluster process); each runs its media core in-process.
      const nodes = childPids(studio.proc.pid!, 'tandem-node node-');
      expect(nodes).toHaveLength(2);
      for (const n of nodes) expect(childPids(n)).toEqual([]);
      all.push(...nodes);

      studio.proc.kill('SIGKILL');
      await waitFor(() => !all.some(alive), 15_000, 'the demo nodes gone');
    } finally {
      studio?.proc.kill('SIGKILL');
      for (const pid of all.filter(alive)) process.kill(pid, 'SIGKILL');
      await studio?.stop();
      fs.rmSync(rendererDir, { recursive: true, force: true });
    }
  }, 120_000);
});
