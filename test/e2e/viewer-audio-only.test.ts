// An audio-only webcast (the presenter's audio-only switch, or a radio-style stream) plays on the
// viewer page: the page must not wait for a video track the stream does not have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

let browser: Browser;
let node: NodeProcess;
let publisher: Publisher;

beforeAll(async () => {
  node = await startNode({ env: { TANDEM_NODE_ID: 'node-1' } });
  publisher = startPublisher(node.publishUrl('main'), { seconds: 60, audioOnly: true });
  await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 20_000, 'live');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await publisher?.stop();
  await node?.stop();
});

describe('viewer page, audio only', () => {
  it('plays an audio-only stream and says live', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${node.base}/`);
    await waitPage(page, `document.documentElement.dataset.state === 'live'`, 20_000, 'live');
    const t0 = (await page.evaluate(`document.getElementById('video').currentTime`)) as number;
    await page.waitForTimeout(1500);
    const t1 = (await page.evaluate(`document.getElementById('video').currentTime`)) as number;
    expect(t1 - t0).toBeGreaterThan(1);
  });
});
