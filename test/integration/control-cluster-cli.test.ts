// `tandem-node cluster` prints each node's control URL and presenter token (for demos); the token
// works for a presenter session on its own node only, and never appears in a log line. A node that
// is killed comes back as itself (its spare is handed the node's settings): the same token works on
// it again and its Q&A, kept in its control directory, is still there.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fullQaList, openControl, qid } from '../support/control-client.js';
import { NODE_BIN, waitFor } from '../support/node-process.js';
import { freePortRun } from '../support/ports.js';
import { childPids } from '../support/procs.js';
import { rtmpAcceptedAt } from '../support/rtmp-ready.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-cluster-control-'));
let stop: (() => Promise<number | null>) | null = null;
afterAll(async () => {
  await stop?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('tandem-node cluster control plane', () => {
  it('prints a working control URL and token per node, and a killed node comes back with both and its questions', async () => {
    const [httpBase, rtmpBase] = [await freePortRun(2), await freePortRun(2)];
    const proc = spawn(process.execPath, [NODE_BIN, 'cluster', '--nodes', '2', '--http-base-port', String(httpBase), '--rtmp-base-port', String(rtmpBase), '--control-dir', dir, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    stop = () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      proc.once('exit', (code) => resolve(code));
      proc.kill('SIGTERM');
    });
    const line = await waitFor(() => out.split('\n').find((l) => l.startsWith('{"cluster"')), 10_000, 'the cluster JSON line');
    const { cluster } = JSON.parse(line) as { cluster: { nodeId: string; viewerUrl: string; controlUrl: string; controlToken: string }[] };
    expect(cluster.map((c) => c.controlUrl)).toEqual([`ws://127.0.0.1:${httpBase}/control`, `ws://127.0.0.1:${httpBase + 1}/control`]);
    const [n1, n2] = cluster as [(typeof cluster)[0], (typeof cluster)[0]];
    expect(n1.controlToken).not.toBe(n2.controlToken);
    const base = (c: (typeof cluster)[0]) => c.viewerUrl.replace(/\/$/, '');
    await waitFor(async () => (await fetch(`${base(n2)}/healthz`).catch(() => null))?.status === 200, 30_000, 'node 2 serving');
    await waitFor(async () => (await fetch(`${base(n1)}/healthz`).catch(() => null))?.status === 200, 30_000, 'node 1 serving');

    const ok = await openControl(base(n1), { role: 'presenter', token: n1.controlToken });
    expect(ok.messages[0]).toMatchObject({ type: 'welcome', role: 'presenter', nodeId: 'node-1' });
    const crossed = await openControl(base(n2), { role: 'presenter', token: n1.controlToken });
    expect((await crossed.next('error')).code).toBe('bad-token');
    const viewer = await openControl(base(n1));
    viewer.send({ type: 'qa.ask', id: qid('before-kill'), text: 'Will this survive a crash?' });
    await waitFor(async () => (await fullQaList(ok, 'before')).questions.some((q) => q.id === qid('before-kill')), 5000, 'the question on node 1');
    ok.close();
    viewer.close();

    // Killed with SIGKILL: node 1 comes back on its ports, as node 1.
    const [pid] = childPids(proc.pid!, 'tandem-node node-1');
    process.kill(pid!, 'SIGKILL');
    await waitFor(() => out.includes('node-1 is serving again'), 30_000, 'node 1 back');
    await rtmpAcceptedAt(rtmpBase, 10_000);
    const again = await openControl(base(n1), { role: 'presenter', token: n1.controlToken });
    expect(again.messages[0]).toMatchObject({ type: 'welcome', role: 'presenter', nodeId: 'node-1' });
    expect((await fullQaList(again, 'after')).questions.map((q) => q.id)).toContain(qid('before-kill'));
    again.close();
    const stillCrossed = await openControl(base(n1), { role: 'presenter', token: n2.controlToken });
    expect((await stillCrossed.next('error')).code).toBe('bad-token');

    const logLines = out.split('\n').filter((l) => l.startsWith('{"level"'));
    expect(logLines.length).toBeGreaterThan(0);
    for (const c of cluster) expect(logLines.some((l) => l.includes(c.controlToken))).toBe(false);
    expect(await stop()).toBe(0);
  }, 90_000);
});
