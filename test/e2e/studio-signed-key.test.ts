// A presenter adds a Tandem node as the node's operator hands it out, but in two fields: the server
// URL (rtmp://host:port/live) and the signed stream key (main?sign=…). The key's query must reach
// the node verbatim: the profile once rebuilt the URL with `URL.pathname`, which encoded `?` as
// %3F, so the node refused the publish as a bad path and the tile retried forever. Chromium
// drives the real studio (browser mode) against a real node; the stream is pulled back from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPublishUrl } from '../../common/publish-url.js';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { codecsSeen, pullRtmp } from '../support/rtmp-pull.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { sharedRendererDir } from '../support/renderer-build.js';

let rendererDir: string;
let studio: StudioProcess;
let browser: Browser;
let node: NodeProcess;

beforeAll(async () => {
  rendererDir = await sharedRendererDir();
  node = await startNode({ env: { TANDEM_NODE_ID: 'signed-1' } });
  studio = await startStudio({ rendererDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await node?.stop();
});

describe('a signed key typed apart from the server URL', () => {
  it('goes live on a real Tandem node, and the node hears the signature it signed', async () => {
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(studio.url);
    await page.waitForSelector('[data-testid="add-server"]', { timeout: 20_000 });

    const { base, secret } = splitPublishUrl(node.publishUrl('main'));
    expect(secret).toMatch(/^main\?sign=v1\./);
    await page.click('[data-testid="add-server"]');
    const form = page.locator('[data-testid="server-form"]');
    await form.locator('input[name="label"]').fill('Signed');
    await form.locator('input[name="url"]').fill(base);
    await form.locator('input[name="streamKey"]').fill(secret);
    await page.click('[data-testid="save-server"]');
    await page.waitForSelector('[data-testid="server-signed"]', { timeout: 10_000 });
    const listed = (await page.textContent('[data-testid="setup-view"]')) ?? '';
    expect(listed).not.toContain('sign=');

    await page.click('[data-testid="go-live"]');
    await page.waitForSelector('[data-testid="live-view"]', { timeout: 20_000 });
    await waitFor(
      async () => (await page.getAttribute('[data-testid="tile-signed"]', 'data-state', { timeout: 1000 }).catch(() => null)) === 'live',
      30_000,
      'tile live on the signed node',
      250,
    );
    // The node took the publish: the stream plays back from it.
    const pull = pullRtmp(`rtmp://127.0.0.1:${node.rtmpPort}/live/main`, { durationMs: 20_000, analyzeDurationUs: 1_500_000 });
    const ok = await pull.waitFor((ps) => ps.some((p) => p.codecType === 'video' && p.keyframe) && ps.some((p) => p.codecType === 'audio'));
    const res = await pull.stop();
    expect(ok, res.stderr.slice(-800)).toBe(true);
    expect(codecsSeen(res.packets)).toContain('h264');
    // No refusal of any kind on the node's side.
    expect(node.output()).not.toMatch(/bad-path|bad-signature|malformed|missing/);

    await page.click('[data-testid="stop"]');
    await page.waitForSelector('[role="alertdialog"]');
    await page.click('[data-testid="confirm-stop"]');
    await page.waitForSelector('[data-testid="setup-view"]', { timeout: 20_000 });
    expect(pageErrors).toEqual([]);
    expect(studio.output()).not.toMatch(/sign=v1/);
  });
});
