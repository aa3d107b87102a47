// A viewer page always told the truth, in Chromium against real nodes without the engine's help:
// on a node with no presenter connected, a question's acknowledgement says it is kept for the
// presenter, and it does reach the presenter that connects later; a node whose publisher stays
// away past its grace says the webcast has ended (the status goes Offline at most once on the way,
// never back and forth) and plays again when a publisher returns; a node with no presenter token
// says questions are closed and disables Ask. The two nodes are one cluster, so a page has two
// nodes to try: while neither has a stream its status says Offline once, not Offline and
// Reconnecting in turn.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUESTIONS_CLOSED, QUESTION_KEPT, STATUS_ENDED, WEBCAST_ENDED } from '../../common/webcast.js';
import { createLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { REPO, startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { freePorts } from '../support/ports.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';

const ARTIFACTS = path.join(REPO, 'test', 'artifacts');
const GRACE_MS = 2000;
const token = randomBytes(24).toString('hex');
let dir: string;
let lonely: NodeProcess;
let closed: NodeProcess;
let browser: Browser;
let publisher: Publisher | null = null;
let cp: ControlPlane | null = null;

async function open(base: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1100, height: 620 });
  await page.goto(`${base}/`);
  await waitPage(page, `document.getElementById('interaction').dataset.controlNode !== undefined && document.documentElement.dataset.webcast !== undefined`, 15_000);
  // Every status the pill shows, in order (the page's CSP allows no eval; evaluate runs beside it).
  await page.evaluate(`(() => {
    const s = document.getElementById('status');
    window.__statuses = [s.textContent];
    new MutationObserver(() => window.__statuses.push(s.textContent)).observe(s, { childList: true, characterData: true, subtree: true });
  })()`);
  return page;
}
const statuses = (p: Page) => p.evaluate('window.__statuses') as Promise<string[]>;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-webcast-truth-'));
  const ports = await freePorts(4);
  const cluster = `http://127.0.0.1:${ports[0]},http://127.0.0.1:${ports[2]}`;
  [lonely, closed] = await Promise.all([
    startNode({ ports: { http: ports[0]!, rtmp: ports[1]! }, env: { TANDEM_NODE_ID: 'lonely', TANDEM_CLUSTER: cluster, TANDEM_CONTROL_TOKEN: token, TANDEM_CONTROL_DIR: path.join(dir, 'lonely'), TANDEM_GRACE_MS: String(GRACE_MS) } }),
    startNode({ ports: { http: ports[2]!, rtmp: ports[3]! }, env: { TANDEM_NODE_ID: 'closed', TANDEM_CLUSTER: cluster } }),
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await publisher?.stop();
  cp?.dispose();
  await browser?.close();
  await Promise.all([lonely?.stop(), closed?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('a viewer page told the truth', () => {
  it('a node without a presenter token says questions are closed and disables Ask; with no stream anywhere the page says Offline once', async () => {
    const page = await open(closed.base);
    await waitPage(page, `!document.getElementById('qa-closed').hidden`, 5000);
    expect(await page.textContent('#qa-closed')).toBe(QUESTIONS_CLOSED);
    expect(await page.isDisabled('#qa-form button[type=submit]')).toBe(true);
    expect(await page.isDisabled('#qa-text')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-questions-closed.png') });
    // No stream on either node: two rounds over both nodes (each round ends Offline, 2 s apart).
    await waitPage(page, `Number(document.documentElement.dataset.switches ?? 0) >= 4`, 40_000, 'two failover rounds');
    const seen = await statuses(page);
    expect(seen).toContain('Offline');
    expect(seen.slice(seen.indexOf('Offline') + 1)).toEqual([]);
    await page.close();
  });

  it('a question asked with no presenter connected is said to be kept, and reaches the presenter that connects', async () => {
    const page = await open(lonely.base);
    await page.fill('#qa-text', 'is anyone reading this?');
    await page.click('#qa-form button[type=submit]');
    await waitPage(page, `document.getElementById('qa-note').textContent !== 'Sending…'`, 5000);
    expect(await page.textContent('#qa-note')).toBe(QUESTION_KEPT);

    cp = new ControlPlane({ logger: createLogger('error'), statsEveryMs: 0 });
    cp.setServers([{ id: 'lonely', url: lonely.publishUrl(), controlUrl: lonely.base, controlToken: token }]);
    await cp.connect(3000);
    await waitFor(() => cp!.questions.some((q) => q.text === 'is anyone reading this?'), 5000, 'the kept question on the presenter');
    cp.dispose();
    cp = null;
    await page.close();
  });

  it('a publisher gone past the grace: the page says ended (Offline at most once on the way), and plays again when one returns', async () => {
    publisher = startPublisher(lonely.publishUrl(), { seconds: 120 });
    const page = await open(lonely.base);
    await waitPage(page, `document.documentElement.dataset.state === 'live'`, 20_000);
    const t0 = Date.now();
    await publisher.stop();
    publisher = null;
    await waitPage(page, `document.documentElement.dataset.state === 'ended'`, GRACE_MS + 8000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(GRACE_MS);
    expect(await page.textContent('#slate-title')).toBe(WEBCAST_ENDED);
    expect(await page.textContent('#status')).toBe(STATUS_ENDED);
    expect(await page.isDisabled('#qa-form button[type=submit]')).toBe(true);
    const seen = await statuses(page);
    expect(seen.at(-1)).toBe(STATUS_ENDED);
    // Offline, once said, stays until playback moves: never Offline → Reconnecting → Offline.
    const firstOffline = seen.indexOf('Offline');
    if (firstOffline >= 0) expect(seen.slice(firstOffline + 1).filter((s) => s !== STATUS_ENDED)).toEqual([]);

    publisher = startPublisher(lonely.publishUrl(), { seconds: 120 });
    await waitPage(page, `document.documentElement.dataset.state === 'live'`, 20_000);
    expect(await page.isHidden('#slate')).toBe(true);
    expect(await page.isDisabled('#qa-form button[type=submit]')).toBe(false);
    await page.close();
  });

});
