// `tandem studio --demo` (what `npm run studio` runs): the app starts its own two-node Tandem
// cluster, the presenter sees both servers already set up, adds a third that is down, goes live
// with the test pattern (allowed, and said so), both nodes' tiles reach live and the nodes report
// receiving the stream while the dead one's tile says why; stopping the studio stops the nodes.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { waitFor } from '../support/node-process.js';
import { freePort } from '../support/ports.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { sharedRendererDir } from '../support/renderer-build.js';

let rendererDir: string;
let studio: StudioProcess;
let browser: Browser;

beforeAll(async () => {
  rendererDir = await sharedRendererDir();
  studio = await startStudio({ rendererDir, args: ['--demo'] });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('embedded demo cluster', () => {
  it('starts two local nodes, goes live with one extra server down (and says so), and stops the nodes on exit', async () => {
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(studio.url);
    await page.waitForSelector('[data-testid="server-node-1"]', { timeout: 20_000 }).catch((e: Error) => {
      throw new Error(`${e.message}\npage errors: ${pageErrors.join('\n')}\nstudio: ${studio.output().slice(-2000)}`);
    });
    await page.waitForSelector('[data-testid="server-node-2"]');
    expect(await page.textContent('.profile-name')).toBe('Local demo cluster (demo)');
    const listText = (await page.textContent('[data-testid="setup-view"]')) ?? '';
    const rtmpPorts = [...listText.matchAll(/rtmp:\/\/127\.0\.0\.1:(\d+)\/live/g)].map((m) => Number(m[1]));
    expect(rtmpPorts).toHaveLength(2);
    expect(listText).not.toContain('sign=');

    // A server nobody listens on: going live anyway is allowed, and the app says so.
    const deadPort = await freePort();
    await page.click('[data-testid="add-server"]');
    await page.locator('[data-testid="server-form"] input[name="label"]').fill('Backup');
    await page.locator('[data-testid="server-form"] input[name="url"]').fill(`rtmp://127.0.0.1:${deadPort}/live/key`);
    await page.click('[data-testid="save-server"]');
    await page.waitForSelector('[data-testid="server-backup"]');

    await page.click('text=Stream the test pattern instead of my camera');
    await page.click('[data-testid="go-live"]');
    await page.waitForSelector('[data-testid="live-view"]', { timeout: 20_000 });
    for (const id of ['node-1', 'node-2']) {
      await waitFor(async () => (await page.getAttribute(`[data-testid="tile-${id}"]`, 'data-state')) === 'live', 45_000, `${id} live`, 250);
    }
    expect(await page.textContent('[data-testid="on-air"]')).toContain('The test pattern');
    // The demo nodes' presenter tokens came with the profile: their control sessions are up, Q&A is open.
    for (const id of ['node-1', 'node-2']) {
      await waitFor(async () => (await page.getAttribute(`[data-testid="control-${id}"]`, 'data-control-state')) === 'connected', 15_000, `${id} control connected`, 250);
    }
    await waitFor(async () => (await page.getAttribute('[data-testid="qa-panel"]', 'data-available')) === 'yes', 10_000, 'Q&A available');
    await page.click('text=Setup results');
    // The header, the setup results and the tile say the same (one derivation: common/server-board.ts).
    expect(await page.textContent('[data-testid="live-headline"]')).toBe('Live on 2 of 3 servers');
    expect(await page.getAttribute('[data-testid="result-backup"]', 'data-word')).toBe(await page.getAttribute('[data-testid="tile-backup"]', 'data-word'));
    expect(await page.getAttribute('[data-testid="tile-backup"]', 'data-reason')).toBe('refused');
    expect(['reconnecting', 'connecting']).toContain(await page.getAttribute('[data-testid="tile-backup"]', 'data-state'));
    await waitFor(async () => /\d/.test((await page.textContent('[data-testid="tile-node-2"] .stats div:nth-child(2) dd')) ?? ''), 15_000, 'node 2 reports receiving');

    await page.keyboard.press('Control+Shift+E');
    await page.click('[data-testid="confirm-stop"]');
    await page.waitForSelector('[data-testid="setup-view"]', { timeout: 20_000 });

    expect(pageErrors).toEqual([]);
    await studio.stop();
    for (const port of rtmpPorts) await waitFor(async () => !(await accepts(port)), 15_000, `demo node on ${port} stopped`);
  });
});
