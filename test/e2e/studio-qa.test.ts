// Q&A and shared state in the presenter app (browser mode), end to end: Chromium drives `tandem
// studio` against two real Tandem nodes with presenter tokens and one nginx-rtmp. While live, a
// viewer page in a second browser (its own profile and cookies) asks a question → it appears in
// the panel, as text → Pin → the viewer sees it pinned. The banner text and slide cue reach the
// viewer, pre-moderation holds a question until approved, both exports carry the questions, and
// nginx-rtmp's tile says it has no control session. Screenshots go to test/artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startNginxRtmp, type NginxRtmpHandle } from '../support/nginx-rtmp-fixture.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { REPO, startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { sharedRendererDir } from '../support/renderer-build.js';

const ARTIFACTS = path.join(REPO, 'test', 'artifacts');
const PAYLOAD = '<b>bold</b> <img src=x onerror=window.__pwned=1> <script>window.__pwned=2</script> why?';
let rendererDir: string;
let studio: StudioProcess;
let presenter: Browser;
let viewer: Browser;
let nginx: NginxRtmpHandle;
const nodes: Array<{ node: NodeProcess; token: string }> = [];

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  rendererDir = await sharedRendererDir();
  for (const id of ['node-1', 'node-2']) {
    const token = randomBytes(24).toString('hex');
    nodes.push({ node: await startNode({ env: { TANDEM_NODE_ID: id, TANDEM_CONTROL_TOKEN: token } }), token });
  }
  nginx = await startNginxRtmp();
  studio = await startStudio({ rendererDir });
  presenter = await launchChromium();
  viewer = await launchChromium();
});

afterAll(async () => {
  await viewer?.close();
  await presenter?.close();
  await studio?.stop();
  await Promise.all(nodes.map((n) => n.node.stop()));
  await nginx?.stop();
});

async function addServer(page: Page, s: { id: string; url: string; streamKey?: string; controlUrl?: string; token?: string }): Promise<void> {
  await page.click('[data-testid="add-server"]');
  const form = page.locator('[data-testid="server-form"]');
  await form.locator('input[name="label"]').fill(s.id);
  await form.locator('input[name="url"]').fill(s.url);
  if (s.streamKey) await form.locator('input[name="streamKey"]').fill(s.streamKey);
  if (s.controlUrl) await form.locator('input[name="controlUrl"]').fill(s.controlUrl);
  if (s.token) await form.locator('input[name="token"]').fill(s.token);
  await page.click('[data-testid="save-server"]');
  await page.waitForSelector(`[data-testid="server-${s.id}"]`, { timeout: 10_000 });
}

/** The pages' CSP forbids eval, so Playwright's waitForFunction cannot run there: poll with evaluate. */

const attr = (page: Page, selector: string, name: string) => page.getAttribute(selector, name, { timeout: 1000 }).catch(() => null);

/** The presenter's row for the question whose text is `text` (its data-testid carries the id). */
async function questionRow(page: Page, text: string): Promise<string> {
  return waitFor(
    async () => {
      const rows = page.locator('[data-testid="qa-list"] > li');
      for (let i = 0; i < (await rows.count()); i++) {
        if ((await rows.nth(i).locator('.q-text').textContent())?.endsWith(text)) return `[data-testid="${await rows.nth(i).getAttribute('data-testid')}"]`;
      }
      return null;
    },
    15_000,
    `question "${text.slice(0, 20)}…" in the panel`,
    200,
  );
}

async function readDownload(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click(button)]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}

describe('presenter app Q&A and shared state', () => {
  it('shows a viewer’s question in the panel, pins it for viewers, drives banner and cue, moderates and exports', async () => {
    const [a, b] = nodes as [{ node: NodeProcess; token: string }, { node: NodeProcess; token: string }];
    const page = await presenter.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(studio.url);
    await page.waitForSelector('[data-testid="brand-name"]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid="qa-empty"]')).toContain('Q&A opens when you go live');

    await addServer(page, { id: 'node-1', url: a.node.publishUrl('main'), controlUrl: a.node.base, token: a.token });
    await addServer(page, { id: 'node-2', url: b.node.publishUrl('main'), controlUrl: b.node.base, token: b.token });
    await addServer(page, { id: 'nginx', url: nginx.url('live'), streamKey: 'presenter' });
    // The token went in, but never comes back to the page.
    expect(await page.content()).not.toContain(a.token);
    await waitFor(async () => Number(await page.evaluate(`document.querySelector('[data-testid="preview"]')?.readyState ?? 0`)) >= 2, 20_000, 'camera preview playing');

    await page.click('[data-testid="go-live"]');
    await page.waitForSelector('[data-testid="live-view"]', { timeout: 20_000 });
    for (const id of ['node-1', 'node-2', 'nginx']) {
      await waitFor(async () => (await attr(page, `[data-testid="tile-${id}"]`, 'data-state')) === 'live', 45_000, `tile ${id} live`, 250);
    }
    for (const id of ['node-1', 'node-2']) {
      await waitFor(async () => (await attr(page, `[data-testid="control-${id}"]`, 'data-control-state')) === 'connected', 15_000, `${id} control connected`, 200);
    }
    expect(await attr(page, '[data-testid="control-nginx"]', 'data-control-state')).toBe('none');
    expect(await page.textContent('[data-testid="control-nginx"]')).toContain('Plain RTMP server');
    await waitFor(async () => (await attr(page, '[data-testid="qa-panel"]', 'data-available')) === 'yes', 10_000, 'Q&A available');
    expect(await page.textContent('[data-testid="qa-status"]')).toContain('Questions from 2 Tandem nodes');

    // The viewer: node 2's page in another browser.
    const v = await viewer.context.newPage();
    await v.goto(`${b.node.base}/`);
    await waitPage(v, `document.getElementById('interaction')?.dataset.controlNode === 'node-2'`, 20_000, 'viewer control connected');
    await v.fill('#qa-text', PAYLOAD);
    await v.fill('#qa-name', 'Vera');
    await v.click('#qa-form button[type=submit]');

    // It appears in the panel, as text.
    const row = await questionRow(page, PAYLOAD);
    expect(await page.textContent(`${row} .q-text`)).toBe(`0${PAYLOAD}`);
    expect(await page.textContent(`${row} .q-meta`)).toContain('Vera');
    expect(await page.locator('[data-testid="qa-list"] b, [data-testid="qa-list"] img, [data-testid="qa-list"] script').count()).toBe(0);
    expect(await page.evaluate('window.__pwned ?? null')).toBeNull();

    // Pin → the viewer sees it pinned.
    await page.click(`${row} [data-testid="qa-pin"]`);
    await waitFor(async () => (await attr(page, row, 'data-pinned')) === 'yes', 5000, 'pinned in the panel');
    await waitPage(v, `document.querySelector('#qa-pinned .qa-text')?.textContent === ${JSON.stringify(PAYLOAD)}`, 10_000, 'viewer sees the pin');
    expect(await v.evaluate(`document.getElementById('qa-pinned').querySelectorAll('b, img, script').length`)).toBe(0);

    // Banner text (shared object) and the slide cue reach the viewer.
    await page.fill('[data-testid="banner-input"]', 'Back in 5 minutes <i>really</i>');
    await page.click('[data-testid="banner-set"]');
    await waitPage(v, `document.getElementById('banner').textContent === 'Back in 5 minutes <i>really</i>'`, 10_000, 'viewer banner');
    // The panel shows the value once the engine has it back from the nodes, which may come after the viewer.
    await waitFor(async () => (await page.textContent('[data-testid="banner-now"]')) === 'Banner now: Back in 5 minutes <i>really</i>', 5000, 'banner shown in the panel');
    await page.fill('[data-testid="slide-input"]', 'Results');
    await page.click('[data-testid="slide-set"]');
    await waitFor(async () => (await page.textContent('[data-testid="slide-now"]')) === 'Slide title now: Results', 5000, 'slide title shown in the panel');
    await page.click('[data-testid="cue-send"]');
    await page.waitForSelector('[data-testid="cue-sent"]', { timeout: 5000 });
    await waitPage(v, `document.getElementById('cue').textContent === 'Results'`, 20_000, 'viewer cue');

    // Pre-moderation: a new question, asked on the other node by a second viewer (a node takes one
    // question per 10 s from a connection), waits until approved; no viewer sees it before.
    await page.click('[data-testid="qa-premoderation"]');
    await waitFor(async () => page.isChecked('[data-testid="qa-premoderation"]'), 5000, 'pre-moderation on');
    const v2 = await viewer.context.newPage();
    await v2.goto(`${a.node.base}/`);
    await waitPage(v2, `document.getElementById('interaction')?.dataset.controlNode === 'node-1'`, 20_000, 'second viewer control connected');
    await v2.fill('#qa-text', 'held for approval');
    await v2.click('#qa-form button[type=submit]');
    const held = await questionRow(page, 'held for approval');
    expect(await attr(page, held, 'data-status')).toBe('pending');
    await page.waitForTimeout(1000);
    for (const p of [v, v2]) expect(await p.evaluate(`[...document.querySelectorAll('#qa-list .qa-text')].map((e) => e.textContent)`)).not.toContain('held for approval');
    await page.click(`${held} [data-testid="qa-approve"]`);
    for (const p of [v, v2]) await waitPage(p, `[...document.querySelectorAll('#qa-list .qa-text')].some((e) => e.textContent === 'held for approval')`, 10_000, 'viewers see the approved question');
    // The pin set earlier is seen on node 1's page too.
    expect(await v2.evaluate(`document.querySelector('#qa-pinned .qa-text')?.textContent`)).toBe(PAYLOAD);
    // Sorting by time puts the newer question first (after the pinned one).
    await page.selectOption('[data-testid="qa-sort"]', 'time');
    const byTime = [`0${PAYLOAD}`, '0held for approval'];
    await waitFor(async () => JSON.stringify(await page.locator('[data-testid="qa-list"] > li .q-text').allTextContents()) === JSON.stringify(byTime), 5000, 'sorted by time');

    await page.locator('[data-testid="qa-panel"]').screenshot({ path: path.join(ARTIFACTS, 'studio-qa.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-qa-live.png') });
    await v.screenshot({ path: path.join(ARTIFACTS, 'studio-qa-viewer.png') });

    // Exports: both questions, with their moderation state.
    const csv = await readDownload(page, '[data-testid="qa-export-csv"]');
    expect(csv.name).toMatch(/^questions-.*\.csv$/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,asked_at,name,text,votes,status,pinned,nodes');
    expect(lines.slice(1).some((l) => l.includes(PAYLOAD) && l.includes(',approved,yes,node-2'))).toBe(true);
    expect(lines.slice(1).some((l) => l.includes('held for approval') && l.includes(',approved,no,node-1'))).toBe(true);
    const json = await readDownload(page, '[data-testid="qa-export-json"]');
    const exported = JSON.parse(json.text) as { preModeration: boolean; questions: Array<{ text: string; status: string }> };
    expect(exported.preModeration).toBe(true);
    expect(exported.questions.map((q) => q.text)).toEqual([PAYLOAD, 'held for approval']);

    await page.click('[data-testid="stop"]');
    await page.click('[data-testid="confirm-stop"]');
    await page.waitForSelector('[data-testid="setup-view"]', { timeout: 20_000 });
    expect(pageErrors).toEqual([]);
    const log = studio.output();
    expect(log).not.toContain(a.token);
    expect(log).not.toContain(b.token);
  });
});
