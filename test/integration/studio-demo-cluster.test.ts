// The studio's embedded demo cluster lives only as long as the studio: when the studio process is
// killed with SIGKILL (no handler runs), the cluster process and its nodes (and their media cores)
// notice through the end of the stdin pipe the studio held, and stop.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../support/ports.js';
import { alive, childPids } from '../support/procs.js';
import { waitFor, withDeadline } from '../support/wait-for.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = pathToFileURL(path.join(ROOT, 'main/demo/demo-cluster.ts')).href;



describe('TANDEM_PARENT_STDIN', () => {
  it('a node whose stdin ends stops gracefully (exit 0), its media core with it, even with its output pipes gone', async () => {
    const [httpPort, rtmpPort] = await freePorts(2);
    const node = spawn(process.execPath, [path.join(ROOT, 'bin/tandem-node.mjs'), '--http-port', String(httpPort), '--rtmp-port', String(rtmpPort)], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TANDEM_SECRET: 'x'.repeat(64), TANDEM_PARENT_STDIN: '1', TANDEM_LOG_LEVEL: 'info' },
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
  it('stops its cluster and nodes when the studio process is killed with SIGKILL', async () => {
    const studio = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `const { startDemoCluster } = await import(${JSON.stringify(DEMO)}); await startDemoCluster(); console.log('demo-ready'); setInterval(() => {}, 1000);`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const all: number[] = [];
    try {
      let text = '';
      studio.stdout.on('data', (d) => (text += d));
      await waitFor(() => text.includes('demo-ready') || studio.exitCode !== null, { timeoutMs: 30_000, what: 'demo-ready' }).catch(() => {});
      expect(text).toContain('demo-ready');
      const cluster = childPids(studio.pid!, 'tandem-node.mjs');
      expect(cluster).toHaveLength(1);
      const nodes = childPids(cluster[0]!, 'tandem-node.mjs');
      expect(nodes).toHaveLength(2);
      const media = nodes.flatMap((n) => childPids(n, 'media-child'));
      expect(media).toHaveLength(2);
      all.push(...cluster, ...nodes, ...media);

      studio.kill('SIGKILL');
      await waitFor(() => !all.some(alive), { timeoutMs: 10_000, what: 'the cluster and its nodes gone' }).catch(() => {});
      expect(all.filter(alive)).toEqual([]);
    } finally {
      studio.kill('SIGKILL');
      for (const pid of all.filter(alive)) process.kill(pid, 'SIGKILL');
    }
  });
});
