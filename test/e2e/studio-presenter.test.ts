// The presenter app in browser mode (`tandem studio`), driven by Chromium with a fake camera and
// microphone, against two real Tandem nodes and one nginx-rtmp: add the servers in the UI, Go Live,
// every tile reaches live and the stream is pulled back from each server; a killed node's tile
// shows reconnecting with a reason while the others stay live, and returns to live after a restart;
// a reloaded window re-attaches its capture (the slate covers the gap). Screenshots of the setup,
// live and Q&A views go to test/artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startNginxRtmp, type NginxRtmpHandle } from '../support/nginx-rtmp-fixture.js';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { REPO, startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { freePorts } from '../support/ports.js';
import { codecsSeen, pullRtmp } from '../support/rtmp-pull.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { sharedRendererDir } from '../support/renderer-build.js';

const ARTIFACTS = path.join(REPO, 'test', 'artifacts');
let rendererDir: string;
let studio: StudioProcess;
let browser: Browser;
let nginx: NginxRtmpHandle;
const nodes: NodeProcess[] = [];

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  rendererDir = await sharedRendererDir();
  const [h1, r1, h2, r2] = await freePorts(4);
  nodes.push(await startNode({ ports: { http: h1!, rtmp: r1! }, env: { TANDEM_NODE_ID: 'node-1' } }));
  nodes.push(await startNode({ ports: { http: h2!, rtmp: r2! }, env: { TANDEM_NODE_ID: 'node-2' } }));
  nginx = await startNginxRtmp();
  studio = await startStudio({ rendererDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await Promise.all(nodes.map((n) => n.stop()));
  await nginx?.stop();
});

async function tileState(page: Page, id: string): Promise<string | null> {
  return page.getAttribute(`[data-testid="tile-${id}"]`, 'data-state', { timeout: 1000 }).catch(() => null);
}

async function addServer(page: Page, s: { id: string; label: string; url: string; streamKey?: string; controlUrl?: string }): Promise<void> {
  await page.click('[data-testid="add-server"]');
  const form = page.locator('[data-testid="server-form"]');
  await form.locator('input[name="label"]').fill(s.label);
  await form.locator('input[name="url"]').fill(s.url);
  if (s.streamKey) await form.locator('input[name="streamKey"]').fill(s.streamKey);
  if (s.controlUrl) await form.locator('input[name="controlUrl"]').fill(s.controlUrl);
  await page.click('[data-testid="save-server"]');
  await page.waitForSelector(`[data-testid="server-${s.id}"]`, { timeout: 10_000 });
}

/** Pulls `url` until it has seen H.264 video (a keyframe among it) and audio. */
async function expectPlayable(url: string, what: string): Promise<void> {
  const pull = pullRtmp(url, { durationMs: 25_000, analyzeDurationUs: 1_500_000 });
  const ok = await pull.waitFor((ps) => ps.filter((p) => p.codecType === 'video').length >= 30 && ps.some((p) => p.codecType === 'video' && p.keyframe) && ps.some((p) => p.codecType === 'audio'));
  const res = await pull.stop();
  expect(ok, `${what}: ${res.packets.length} packets, streams ${JSON.stringify(res.streams)}\n${res.stderr.slice(-800)}`).toBe(true);
  expect(codecsSeen(res.packets)).toContain('h264');
}

describe('presenter app in browser mode', () => {
  it('goes live on two Tandem nodes and nginx-rtmp, rides out a node kill and restart, and re-attaches after a reload', async () => {
    const [n1, n2] = nodes as [NodeProcess, NodeProcess];
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(studio.url);
    await page.waitForSelector('[data-testid="brand-name"]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid="brand-name"]')).toBe('Tandem');
    await page.waitForSelector('[data-testid="qa-empty"]');
    expect(await page.textContent('[data-testid="qa-empty"]')).toContain('Q&A opens when you go live');

    // Validation: a non-RTMP URL is refused on its field, and nothing is saved.
    await page.click('[data-testid="add-server"]');
    await page.locator('[data-testid="server-form"] input[name="url"]').fill('http://example.com/live');
    await page.click('[data-testid="save-server"]');
    await page.waitForSelector('.field.invalid >> text=The URL must start with rtmp:// or rtmps://');
    await page.click('[data-testid="server-form"] >> text=Cancel');

    await addServer(page, { id: 'node-1', label: 'Node 1', url: n1.publishUrl('main'), controlUrl: n1.base });
    await addServer(page, { id: 'node-2', label: 'Node 2', url: n2.publishUrl('main'), controlUrl: n2.base });
    await addServer(page, { id: 'nginx', label: 'nginx', url: nginx.url('live'), streamKey: 'presenter' });
    // Keys and signatures are masked in the list.
    const listText = (await page.textContent('[data-testid="setup-view"]')) ?? '';
    expect(listText).not.toContain('sign=');
    expect(listText).not.toContain('presenter');
    // Polled from here: Playwright's waitForFunction polls with eval, which the app's CSP forbids.
    await waitFor(async () => Number(await page.evaluate(`document.querySelector('[data-testid="preview"]')?.readyState ?? 0`)) >= 2, 20_000, 'camera preview playing');
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-setup.png') });

    await page.click('[data-testid="go-live"]');
    await page.waitForSelector('[data-testid="live-view"]', { timeout: 20_000 });
    for (const id of ['node-1', 'node-2', 'nginx']) {
      await waitFor(async () => (await tileState(page, id)) === 'live', 45_000, `tile ${id} live`, 250);
    }
    expect(await page.textContent('[data-testid="on-air"]')).toContain('Your camera and microphone');
    expect(await page.textContent('[data-testid="live-headline"]')).toBe('Live on all 3 servers');

    await expectPlayable(`rtmp://127.0.0.1:${n1.rtmpPort}/live/main`, 'node 1');
    await expectPlayable(`rtmp://127.0.0.1:${n2.rtmpPort}/live/main`, 'node 2');
    await expectPlayable(nginx.url('live', 'presenter'), 'nginx-rtmp');
    // The Tandem nodes report what they receive (via their control URL); nginx-rtmp does not.
    await waitFor(async () => /\d/.test((await page.textContent('[data-testid="tile-node-1"] .stats div:nth-child(2) dd')) ?? ''), 15_000, 'node 1 receive rate');
    expect(await page.textContent('[data-testid="tile-nginx"] .stats div:nth-child(2) dd')).toBe('not reported');
    // No presenter token was given here, so no server has a control session, and the tiles say so.
    expect(await page.getAttribute('[data-testid="control-nginx"]', 'data-control-state')).toBe('none');
    expect(await page.textContent('[data-testid="control-nginx"]')).toContain('Plain RTMP server');
    expect(await page.textContent('[data-testid="qa-empty"]')).toContain("Q&A appears when your servers run Tandem's control plane");
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-live.png') });
    await page.locator('[data-testid="qa-panel"]').screenshot({ path: path.join(ARTIFACTS, 'studio-qa-no-control.png') });

    // Kill node 1: its tile reconnects with a reason in words; the others stay live throughout.
    const { httpPort, rtmpPort, secret } = n1;
    n1.proc.kill('SIGKILL');
    try {
      process.kill(n1.mediaPid(), 'SIGKILL');
    } catch {
      // the media child may already be gone with its supervisor
    }
    await waitFor(async () => ['reconnecting', 'connecting'].includes((await tileState(page, 'node-1')) ?? ''), 20_000, 'node-1 reconnecting', 200);
    const message = (await page.textContent('[data-testid="tile-message-node-1"]')) ?? '';
    expect(message.length).toBeGreaterThan(10);
    expect(await page.getAttribute('[data-testid="tile-node-1"]', 'data-reason')).not.toBe('');
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-node-down.png') });
    for (let i = 0; i < 6; i++) {
      expect(await tileState(page, 'node-2')).toBe('live');
      expect(await tileState(page, 'nginx')).toBe('live');
      await page.waitForTimeout(500);
    }

    // Restart it on the same ports with the same secret: the tile comes back to live by itself.
    const revived = await startNode({ ports: { http: httpPort, rtmp: rtmpPort }, secret, env: { TANDEM_NODE_ID: 'node-1' } });
    nodes.push(revived);
    await waitFor(async () => (await tileState(page, 'node-1')) === 'live', 60_000, 'node-1 live again', 250);
    expect(Number(await page.textContent('[data-testid="reconnects-node-1"]'))).toBeGreaterThanOrEqual(1);
    await expectPlayable(`rtmp://127.0.0.1:${rtmpPort}/live/main`, 'node 1 after restart');

    // The window goes away (a reload, as after a renderer crash): the slate keeps the servers fed,
    // the new page re-attaches its capture, and the servers never leave live.
    await page.reload();
    await page.waitForSelector('[data-testid="live-view"]', { timeout: 20_000 });
    await waitFor(async () => ((await page.textContent('[data-testid="on-air"]').catch(() => '')) ?? '').includes('Your camera'), 30_000, 'capture re-attached', 250);
    expect(studio.output()).toContain('slate on air');
    expect(studio.output()).toContain('capture attached');
    for (const id of ['node-2', 'nginx']) expect(await tileState(page, id)).toBe('live');
    await expectPlayable(`rtmp://127.0.0.1:${n2.rtmpPort}/live/main`, 'node 2 after re-attach');

    // Stop asks first.
    await page.click('[data-testid="stop"]');
    await page.waitForSelector('[role="alertdialog"]');
    await page.click('[data-testid="confirm-stop"]');
    await page.waitForSelector('[data-testid="setup-view"]', { timeout: 20_000 });
    expect(pageErrors).toEqual([]);
    // Nothing secret reached the studio's log: no signature, no stream key, no node secret.
    const log = studio.output();
    expect(log).not.toMatch(/sign=v1/);
    expect(log).not.toContain('/live/presenter');
    expect(log).not.toContain(n1.secret);
    expect(log).not.toContain(n2.secret);
  });
});
