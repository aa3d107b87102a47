// The webcast's lifecycle from the presenter's buttons (engineer C's control-plane API, wired
// through LiveSession): two Tandem nodes with presenter tokens, a viewer page on each (another
// browser). Go Live with the countdown → the viewers see "Starting in …" first; a viewer asks;
// Stop → every viewer page says the webcast has ended within 5 s and Ask is disabled; a second Go
// Live → the pages play again with none of the first webcast's questions. Screenshots:
// studio-ended.png (the studio after Stop) and studio-viewer-ended.png (a viewer page).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { splitPublishUrl } from '../../common/publish-url.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { type StudioRig, addServer, goLive, screenshot, startStudioRig, stopWebcast, waitTile } from '../support/studio-rig.js';
import { waitFor } from '../support/wait-for.js';

const tokens = [randomBytes(24).toString('hex'), randomBytes(24).toString('hex')];
let rig: StudioRig;
let viewers: Browser;

beforeAll(async () => {
  rig = await startStudioRig({ nodes: 2, nodeEnv: (i) => ({ TANDEM_CONTROL_TOKEN: tokens[i]! }) });
  viewers = await launchChromium();
});

afterAll(async () => {
  await viewers?.close();
  await rig?.close();
});

const viewOf = (p: Page) =>
  p.evaluate(`(() => ({
    state: document.documentElement.dataset.state,
    askDisabled: document.querySelector('#qa-form button[type=submit]').disabled,
    slate: document.getElementById('slate').hidden ? null : document.getElementById('slate-title').textContent,
    list: [...document.querySelectorAll('#qa-list .qa-text, #qa-pinned .qa-text')].map((e) => e.textContent),
  }))()`) as Promise<{ state: string; askDisabled: boolean; slate: string | null; list: string[] }>;

describe('the webcast lifecycle from the studio', () => {
  it('countdown reaches the viewers, Stop ends every page within 5 s with Ask disabled, and the next Go Live has a fresh Q&A', async () => {
    const { page, errors } = await rig.openStudio();
    for (const [i, n] of rig.nodes.entries()) {
      const { base, secret } = splitPublishUrl(n.publishUrl('main'));
      await addServer(page, { label: `Node ${i + 1}`, url: base, streamKey: secret, controlUrl: n.base, token: tokens[i]! });
    }
    const pages: Page[] = [];
    for (const n of rig.nodes) {
      const v = await viewers.context.newPage();
      await v.goto(`${n.base}/`);
      pages.push(v);
    }

    // Go Live with the countdown: every viewer page shows it before the stream starts.
    await page.check('[data-testid="countdown-switch"]');
    await goLive(page);
    for (const v of pages) await waitPage(v, `document.documentElement.dataset.webcast === 'countdown'`, 10_000, 'viewer countdown');
    for (const id of ['node-1', 'node-2']) await waitTile(page, id, 'live', 30_000);
    for (const v of pages) await waitPage(v, `document.documentElement.dataset.state === 'live'`, 30_000, 'viewer playing');

    // A viewer asks; the presenter sees it.
    const first = 'a question of the first webcast';
    await pages[0]!.fill('#qa-text', first);
    await pages[0]!.click('#qa-form button[type=submit]');
    await waitFor(async () => ((await page.textContent('[data-testid="qa-panel"]')) ?? '').includes(first), 10_000, 'the question in the studio');
    for (const v of pages) await waitPage(v, `[...document.querySelectorAll('#qa-list .qa-text')].some((e) => e.textContent === ${JSON.stringify(first)})`, 10_000, 'question on both pages');

    // Stop: every viewer page says the webcast has ended within 5 s, Ask disabled.
    const stoppedAt = Date.now();
    await stopWebcast(page);
    for (const v of pages) await waitPage(v, `document.documentElement.dataset.state === 'ended'`, Math.max(1, 5000 - (Date.now() - stoppedAt)), 'viewer ended');
    const endedAfterMs = Date.now() - stoppedAt;
    for (const v of pages) expect(await viewOf(v)).toMatchObject({ state: 'ended', askDisabled: true, slate: 'The webcast has ended' });
    await screenshot(page, 'studio-ended.png');
    await pages[0]!.screenshot({ path: 'test/artifacts/studio-viewer-ended.png' });

    // The next webcast: fresh Q&A (the default), the pages play again without a reload.
    expect(await page.isChecked('[data-testid="continue-qa"]')).toBe(false);
    await page.uncheck('[data-testid="countdown-switch"]');
    await goLive(page);
    for (const id of ['node-1', 'node-2']) await waitTile(page, id, 'live', 30_000);
    for (const v of pages) await waitPage(v, `document.documentElement.dataset.state === 'live'`, 30_000, 'viewer playing again');
    for (const v of pages) {
      const view = await viewOf(v);
      expect(view.askDisabled).toBe(false);
      expect(view.list).not.toContain(first);
    }
    expect((await page.textContent('[data-testid="qa-panel"]')) ?? '').not.toContain(first);
    await stopWebcast(page);
    expect(errors).toEqual([]);
    console.log(`every viewer page ended ${endedAfterMs} ms after Stop was confirmed`);
  });
});
