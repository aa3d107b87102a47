// The viewer page keeps a question through a failover: its node stops, the page's control session
// moves to the next node of the cluster (whose Origin check admits the cluster's pages), and the
// question the viewer sent meanwhile arrives once, through that node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { startControlCluster } from '../support/control-cluster.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { waitFor } from '../support/node-process.js';

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let browser: Browser;
let mc: MultiConnection;
let page: Page;


beforeAll(async () => {
  cluster = await startControlCluster(2, { cluster: true });
  mc = new MultiConnection({ control: { statsEveryMs: 0 } });
  await mc.connect(cluster.nodes.map((n) => n.server));
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(`${cluster.nodes[0]!.node.base}/`);
  await waitPage(page, `document.getElementById('interaction').dataset.controlNode === 'node-a'`, 15_000);
});

afterAll(async () => {
  await browser?.close();
  await mc?.stop();
  await cluster?.stop();
});

describe('viewer page Q&A across a failover', () => {
  it('delivers a question sent while its node goes away through the next node, once', async () => {
    mc.setSoValue('banner', 'title', 'Before the failover');
    await waitPage(page, `document.getElementById('banner').textContent === 'Before the failover'`, 5000);
    const stopping = cluster.nodes[0]!.node.stop();
    await page.fill('#qa-text', 'Asked while my node went away');
    await page.click('#qa-form button[type=submit]');
    await stopping;
    await waitPage(page, `document.getElementById('interaction').dataset.controlNode === 'node-b'`, 10_000);
    const q = await waitFor(() => mc.control.questions.find((x) => x.text === 'Asked while my node went away'), 10_000, 'the question on the engine');
    await waitPage(page, `document.getElementById('qa-note').textContent === 'Thanks, your question was sent.'`, 5000);
    expect(mc.control.questions.filter((x) => x.text === q.text)).toHaveLength(1);
    expect(q.nodes).toContain('node-b');
    // The page on node B still shows the state written before the failover.
    expect(await page.evaluate(`document.getElementById('banner').textContent`)).toBe('Before the failover');
  });
});
