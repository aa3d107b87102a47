// A frozen node keeps its WebSocket open, and a page cannot see pings: the page's control session
// follows the player, which notices the stall and fails over, so Q&A moves to the live node too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { startControlCluster } from '../support/control-cluster.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { waitFor } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let browser: Browser;
let mc: MultiConnection;
let page: Page;
const publishers: Publisher[] = [];
const frozen: number[] = [];


beforeAll(async () => {
  cluster = await startControlCluster(2, { cluster: true });
  for (const n of cluster.nodes) publishers.push(startPublisher(n.node.publishUrl('main'), { seconds: 90 }));
  for (const n of cluster.nodes) await waitFor(async () => (await n.node.metric('tandem_live_streams')) === 1, 20_000, `${n.id} live`);
  mc = new MultiConnection({ control: { statsEveryMs: 0 } });
  await mc.connect(cluster.nodes.map((n) => n.server));
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(`${cluster.nodes[0]!.node.base}/`);
  await waitPage(page, `document.documentElement.dataset.state === 'live' && document.getElementById('interaction').dataset.controlNode === 'node-a'`, 20_000);
});

afterAll(async () => {
  for (const pid of frozen) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  await browser?.close();
  await Promise.all(publishers.map((p) => p.stop()));
  await mc?.stop();
  await cluster?.stop();
});

describe('viewer page control session follows the player', () => {
  it('moves Q&A to the node the player failed over to when its node freezes', async () => {
    const a = cluster.nodes[0]!.node;
    // Freeze the whole node (supervisor and media child): sockets stay open, nothing answers.
    for (const pid of [a.mediaPid(), a.proc.pid!]) {
      process.kill(pid, 'SIGSTOP');
      frozen.push(pid);
    }
    await waitPage(page, `document.getElementById('interaction').dataset.controlNode === 'node-b'`, 20_000);
    await page.fill('#qa-text', 'Asked after the freeze');
    await page.click('#qa-form button[type=submit]');
    const q = await waitFor(() => mc.control.questions.find((x) => x.text === 'Asked after the freeze'), 5000, 'the question through node B');
    expect(q.nodes).toEqual(['node-b']);
  });
});
