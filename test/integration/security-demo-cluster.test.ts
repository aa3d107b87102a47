// Issue 11: the demo's nodes are started one by one by the launcher the shell injects (in the app,
// Electron's utilityProcess, which cannot start further processes from the app's binary). Here a
// stand-in launcher records what it launched and runs it with plain Node: both nodes go live from the
// engine's MultiConnection with the returned profile, the presenter token opens Q&A on them, no
// launched process has a child (media cores in-process), a node that dies is started again with its
// state (its Q&A kept), and stopping ends every one of them and removes the demo's private state folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeLauncher, type ProcessLauncher } from '../../common/process-launcher.js';
import { clusterProfileSchema } from '../../common/profile.js';
import { startDemoCluster, type DemoCluster } from '../../main/demo/demo-cluster.js';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { fullQaList, openControl, qid, type ControlClient } from '../support/control-client.js';
import { SMALL_TEST_SOURCE, waitForAllLive, waitForState } from '../support/engine-harness.js';
import { wsFlvViewer } from '../support/node-flv-viewer.js';
import { alive, childPids, childrenOf } from '../support/procs.js';
import { waitFor } from '../support/wait-for.js';

const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-demo-state-'));
let demo: DemoCluster | null = null;
afterAll(async () => {
  await demo?.stop();
  fs.rmSync(parent, { recursive: true, force: true });
});

/** Every launch, with its arguments and environment, run by the Node launcher. */
function recordingLauncher(): ProcessLauncher & { launched: { modulePath: string; args: string[]; env: NodeJS.ProcessEnv; name: string }[] } {
  const launched: { modulePath: string; args: string[]; env: NodeJS.ProcessEnv; name: string }[] = [];
  return {
    kind: 'recording',
    launched,
    launch(modulePath, args, o) {
      launched.push({ modulePath, args: [...args], env: o.env, name: o.name });
      return nodeLauncher.launch(modulePath, args, o);
    },
  };
}


describe('the demo cluster, node by node through the launcher', () => {
  it('goes live on both nodes, opens Q&A with the token, starts no grandchild, restarts a dead node, and stops everything', async () => {
    const launcher = recordingLauncher();
    const before = new Set(childPids(process.pid, 'tandem-node node-'));
    demo = await startDemoCluster({ launcher, stateParent: parent, timeoutMs: 30_000 });
    const profile = clusterProfileSchema.parse(demo.profile);
    expect(profile.servers.map((s) => s.id)).toEqual(['node-1', 'node-2']);
    expect(profile.viewerUrls).toEqual(profile.servers.map((s) => s.controlUrl));

    // What was launched: two nodes, each its own process with its media core in-process, secrets
    // in the environment only.
    expect(launcher.launched.map((l) => l.name)).toEqual(['Tandem demo node-1', 'Tandem demo node-2']);
    for (const l of launcher.launched) {
      expect(path.basename(l.modulePath)).toBe('tandem-node.mjs');
      expect(l.args).toContain('--media-in-process');
      expect(l.env.TANDEM_SECRET).toBeTruthy();
      expect(l.args.join(' ')).not.toContain(l.env.TANDEM_SECRET!);
      expect(l.args.join(' ')).not.toContain(l.env.TANDEM_CONTROL_TOKEN!);
    }
    const [stateDir] = fs.readdirSync(parent);
    expect(stateDir).toMatch(/^tandem-demo-/);
    expect(fs.statSync(path.join(parent, stateDir!)).mode & 0o777).toBe(0o700);
    // Named by what they are (process.title), children of this process: no cluster in between.
    const pids = childPids(process.pid, 'tandem-node node-').filter((p) => !before.has(p));
    expect(pids).toHaveLength(2);

    const mc = new MultiConnection({ control: { statsEveryMs: 0 } });
    let viewer: ControlClient | null = null;
    try {
      const setup = await mc.connect(profile.servers.map((s) => ({ id: s.id, url: s.url, controlUrl: s.controlUrl, controlToken: s.token })));
      expect(setup.servers.map((s) => [s.id, s.result, s.control?.state])).toEqual([
        ['node-1', 'ready', 'connected'],
        ['node-2', 'ready', 'connected'],
      ]);
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForAllLive(mc, 15_000);
      // A viewer of node-2 gets the media (WS-FLV, handed over inside the node's own process).
      const t0 = Date.now();
      const flv = wsFlvViewer(`${profile.viewerUrls[1]!.replace(/^http/, 'ws')}live/main.flv`);
      await waitFor(() => flv.videoTagsSince(t0) > 10, 15_000, 'video at a viewer of node-2');
      flv.close();

      // Q&A: a viewer asks on node-1; the engine, holding the presenter token, sees it.
      viewer = await openControl(profile.viewerUrls[0]!.replace(/\/$/, ''));
      viewer.send({ type: 'qa.ask', id: qid('demo-1'), text: 'Does the demo fail over?', name: 'Viewer' });
      await waitFor(() => mc.control.questions.find((q) => q.id === qid('demo-1')), 5000, 'the question at the engine');

      for (const pid of pids) expect(childrenOf(pid), `children of demo node ${pid}`).toEqual([]);

      // A demo node that dies is started again, on its ports and with its state folder: the engine
      // goes live on it again and the question asked there before is still in its own list.
      const [old] = childPids(process.pid, 'tandem-node node-1');
      process.kill(old!, 'SIGKILL');
      const again = await waitFor(() => childPids(process.pid, 'tandem-node node-1').find((p) => p !== old), 20_000, 'node-1 started again');
      pids.push(again);
      await waitForState(mc, 'node-1', 'live', 25_000);
      const presenter = await openControl(profile.viewerUrls[0]!.replace(/\/$/, ''), { role: 'presenter', token: profile.servers[0]!.token });
      try {
        expect((await fullQaList(presenter, 'own')).questions.map((q) => q.id)).toContain(qid('demo-1'));
      } finally {
        presenter.close();
      }
      expect(childrenOf(again)).toEqual([]);
    } finally {
      viewer?.close();
      await mc.stop();
    }

    const t1 = Date.now();
    await demo.stop();
    expect(Date.now() - t1).toBeLessThan(12_000);
    await waitFor(() => !pids.some(alive), 5000, 'every demo node gone');
    expect(fs.readdirSync(parent)).toEqual([]);
  }, 90_000);
});
