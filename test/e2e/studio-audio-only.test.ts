// The audio-only switch while live: the presenter's window records Opus alone and re-attaches it,
// the server then carries audio without video; switching back brings the camera back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startNginxRtmp, type NginxRtmpHandle } from '../support/nginx-rtmp-fixture.js';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { waitFor } from '../support/node-process.js';
import { pullRtmp } from '../support/rtmp-pull.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { sharedRendererDir } from '../support/renderer-build.js';

let rendererDir: string;
let studio: StudioProcess;
let browser: Browser;
let nginx: NginxRtmpHandle;

beforeAll(async () => {
  rendererDir = await sharedRendererDir();
  nginx = await startNginxRtmp();
  studio = await startStudio({ rendererDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await nginx?.stop();
});

/** Pulls for a few seconds; returns how many audio and video packets arrived. */
async function sample(url: string): Promise<{ audio: number; video: number }> {
  const pull = pullRtmp(url, { durationMs: 20_000, analyzeDurationUs: 1_500_000 });
  await pull.waitFor((ps) => ps.filter((p) => p.codecType === 'audio').length >= 100, 15_000);
  const res = await pull.stop();
  return { audio: res.packets.filter((p) => p.codecType === 'audio').length, video: res.packets.filter((p) => p.codecType === 'video').length };
}

async function onAirText(page: Page): Promise<string> {
  return (await page.textContent('[data-testid="on-air"]').catch(() => '')) ?? '';
}

describe('audio-only switch', () => {
  it('switches a live capture to audio only and back', async () => {
    const page = await browser.context.newPage();
    await page.goto(studio.url);
    await page.click('[data-testid="add-server"]');
    // Ids are made from the name (the form has no id field).
    await page.locator('[data-testid="server-form"] input[name="label"]').fill('Server 1');
    await page.locator('[data-testid="server-form"] input[name="url"]').fill(nginx.url('live'));
    await page.locator('[data-testid="server-form"] input[name="streamKey"]').fill('talk');
    await page.click('[data-testid="save-server"]');
    await page.waitForSelector('[data-testid="server-server-1"]');
    // Polled from here: Playwright's waitForFunction polls with eval, which the app's CSP forbids.
    await waitFor(async () => Number(await page.evaluate(`document.querySelector('[data-testid="preview"]')?.readyState ?? 0`)) >= 2, 20_000, 'camera preview playing');
    await page.click('[data-testid="go-live"]');
    await waitFor(async () => (await page.getAttribute('[data-testid="tile-server-1"]', 'data-state').catch(() => null)) === 'live', 45_000, 'live', 250);
    const url = nginx.url('live', 'talk');
    const before = await sample(url);
    expect(before.video).toBeGreaterThan(20);

    await page.check('[data-testid="audio-only"]');
    await waitFor(async () => (await page.textContent('.preview.placeholder').catch(() => '')) === 'Audio only', 10_000, 'audio-only preview');
    // The host logs each capture it puts on air; the audio-only one is the first after going live.
    await waitFor(() => studio.output().includes('capture attached'), 20_000, 'audio-only capture attached');
    expect(await onAirText(page)).toContain('Your camera and microphone');
    await waitFor(async () => (await page.getAttribute('[data-testid="tile-server-1"]', 'data-state')) === 'live', 45_000, 'live after switch', 250);
    // A fresh player after the switch sees audio and no video.
    await waitFor(async () => {
      const s = await sample(url);
      return s.audio >= 100 && s.video === 0;
    }, 60_000, 'audio-only stream on the server', 500);

    await page.uncheck('[data-testid="audio-only"]');
    await waitFor(() => studio.output().split('capture attached').length === 3, 20_000, 'camera capture attached again');
    await waitFor(async () => (await sample(url)).video > 20, 60_000, 'video back on the server', 500);
  });
});
