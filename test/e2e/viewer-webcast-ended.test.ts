// The webcast's phase on real viewer pages in Chromium, two nodes driven by the engine's
// ControlPlane and fed by real ffmpeg publishers: a countdown shown over the player; Stop
// (endWebcast) → every page says the webcast has ended within 5 s, Ask disabled, and no player
// connection is made after it; a node restart keeps the ended page ended; the next webcast
// (beginWebcast) plays again on the same pages without a reload, Ask enabled, and no question from
// the first webcast is left.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUESTIONS_ENDED, STATUS_ENDED, WEBCAST_ENDED } from '../../common/webcast.js';
import { createLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { startControlCluster, type ControlNode } from '../support/control-cluster.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { REPO, waitFor } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

const ARTIFACTS = path.join(REPO, 'test', 'artifacts');
let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let nodes: ControlNode[];
let cp: ControlPlane;
let browser: Browser;
const pages: Page[] = [];
let publishers: Publisher[] = [];
/** Per page: player (WebSocket-FLV) connections opened. */
const flvSockets = new Map<Page, number>();

const startPublishers = () => {
  publishers = nodes.map((n) => startPublisher(n.node.publishUrl(), { seconds: 120 }));
};
const stopPublishers = async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  publishers = [];
};
const pageView = (p: Page) =>
  p.evaluate(`(() => ({
    state: document.documentElement.dataset.state,
    webcast: document.documentElement.dataset.webcast ?? null,
    status: document.getElementById('status').textContent,
    slateHidden: document.getElementById('slate').hidden,
    slate: document.getElementById('slate-title').textContent,
    askDisabled: document.querySelector('#qa-form button[type=submit]').disabled,
    votesDisabled: [...document.querySelectorAll('.qa-vote')].map((b) => b.disabled),
    textDisabled: document.getElementById('qa-text').disabled,
    closed: document.getElementById('qa-closed').hidden ? null : document.getElementById('qa-closed').textContent,
    list: [...document.querySelectorAll('#qa-list .qa-text, #qa-pinned .qa-text')].map((e) => e.textContent),
    note: document.getElementById('qa-note').textContent,
  }))()`) as Promise<{ state: string; webcast: string | null; status: string; slateHidden: boolean; slate: string; askDisabled: boolean; votesDisabled: boolean[]; textDisabled: boolean; closed: string | null; list: string[]; note: string }>;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  cluster = await startControlCluster(2);
  nodes = cluster.nodes;
  cp = new ControlPlane({ logger: createLogger('error'), statsEveryMs: 0 });
  cp.setServers(nodes.map((n) => n.server));
  await cp.connect(3000);
  browser = await launchChromium();
  for (const n of nodes) {
    const page = await browser.context.newPage();
    flvSockets.set(page, 0);
    page.on('websocket', (ws) => {
      if (ws.url().endsWith('.flv')) flvSockets.set(page, flvSockets.get(page)! + 1);
    });
    await page.setViewportSize({ width: 1100, height: 620 });
    await page.goto(`${n.node.base}/`);
    pages.push(page);
  }
  for (const [i, p] of pages.entries()) await waitPage(p, `document.getElementById('interaction').dataset.controlNode === '${nodes[i]!.id}'`, 15_000);
});

afterAll(async () => {
  await stopPublishers();
  await browser?.close();
  cp?.dispose();
  await cluster?.stop();
});

describe('the webcast phase on viewer pages', () => {
  it('shows a countdown over the player, then plays when the webcast begins', async () => {
    await cp.countdown(9);
    for (const p of pages) await waitPage(p, `document.documentElement.dataset.webcast === 'countdown'`, 5000);
    const v = await pageView(pages[0]!);
    expect(v.slateHidden).toBe(false);
    expect(v.slate).toMatch(/^Starting in [1-9]…$/);
    expect(v.status).toBe('Starting soon');
    await pages[0]!.screenshot({ path: path.join(ARTIFACTS, 'viewer-countdown.png') });

    const results = await cp.beginWebcast();
    expect(results.every((r) => r.ok)).toBe(true);
    startPublishers();
    for (const p of pages) await waitPage(p, `document.documentElement.dataset.state === 'live'`, 20_000);
    const live = await pageView(pages[1]!);
    expect(live).toMatchObject({ slateHidden: true, webcast: 'live', askDisabled: false, closed: null });
  });

  it('Stop: every page says the webcast has ended within 5 s, Ask disabled, and it does not reconnect', async () => {
    const a = pages[0]!;
    await a.fill('#qa-text', 'a question of the first webcast');
    await a.click('#qa-form button[type=submit]');
    for (const p of pages) await waitPage(p, `[...document.querySelectorAll('#qa-list .qa-text')].some((e) => e.textContent === 'a question of the first webcast')`, 5000);

    const t0 = Date.now();
    await cp.endWebcast();
    // What Stop does next: the relays unpublish.
    await stopPublishers();
    for (const p of pages) await waitPage(p, `document.documentElement.dataset.state === 'ended'`, 5000 - (Date.now() - t0));
    expect(Date.now() - t0).toBeLessThan(5000);
    for (const p of pages) {
      const v = await pageView(p);
      expect(v).toMatchObject({ state: 'ended', status: STATUS_ENDED, slateHidden: false, slate: WEBCAST_ENDED, askDisabled: true, textDisabled: true, closed: QUESTIONS_ENDED, votesDisabled: [true] });
    }
    await a.screenshot({ path: path.join(ARTIFACTS, 'viewer-ended.png') });

    // The player made no connection since; an old page retried every 2 s (offline) or at once.
    const seen = pages.map((p) => flvSockets.get(p)!);
    await expect(waitFor(() => pages.some((p, i) => flvSockets.get(p)! > seen[i]!), 6000, 'a player connection after the end')).rejects.toThrow(/a player connection after the end/);
    for (const p of pages) expect((await pageView(p)).state).toBe('ended');
  });

  it('a restarted node still says ended', async () => {
    await nodes[1]!.restart();
    // The restarted node serves its page (checked from here first); a viewer whose reload still met
    // an error page (seen once in a full CI run: ERR_HTTP_RESPONSE_CODE_FAILURE, cause not found)
    // reloads again, as a viewer would: what is judged is the phase the page then shows.
    const base = `http://127.0.0.1:${nodes[1]!.node.httpPort}/`;
    await waitFor(async () => (await fetch(base).then((r) => r.status).catch(() => 0)) === 200, 10_000, 'the restarted node serving its page');
    await pages[1]!.reload().catch(async (err: unknown) => {
      console.warn(`reload after the restart failed once: ${String(err)}`);
      await pages[1]!.reload();
    });
    await waitPage(pages[1]!, `document.documentElement.dataset.state === 'ended'`, 10_000);
    expect(await pageView(pages[1]!)).toMatchObject({ slate: WEBCAST_ENDED, askDisabled: true });
  });

  it('the next webcast plays again on the same pages, Ask enabled, with none of the first webcast\'s questions', async () => {
    await waitFor(() => cp.statusOf(nodes[1]!.id).state === 'connected', 10_000, 'engine back on the restarted node');
    const before = pages.map((p) => flvSockets.get(p)!);
    const results = await cp.beginWebcast();
    expect(results.every((r) => r.ok)).toBe(true);
    startPublishers();
    for (const p of pages) await waitPage(p, `document.documentElement.dataset.state === 'live'`, 20_000);
    for (const [i, p] of pages.entries()) {
      await waitPage(p, `document.querySelectorAll('#qa-list .qa-text').length === 0`, 5000);
      expect(await pageView(p)).toMatchObject({ webcast: 'live', slateHidden: true, askDisabled: false, textDisabled: false, closed: null, list: [] });
      expect(flvSockets.get(p)!).toBeGreaterThan(before[i]!);
    }
    expect(cp.previousQaExport('json')).toContain('a question of the first webcast');
  });
});
