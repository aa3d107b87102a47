// Test support: one studio rig for the presenter e2e tests. A renderer built for this run, real
// Tandem nodes, `tandem studio` as a real process, Debian's Chromium with a fake camera, and the
// steps a presenter clicks (add a server, Go Live, Stop, read a tile), so each e2e file says what
// it proves instead of repeating the set-up.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { sharedRendererDir } from './renderer-build.js';
import { launchChromium, type Browser } from './node-browser.js';
import { REPO, startNode, type NodeProcess } from './node-process.js';
import { freePorts } from './ports.js';
import { startStudio, type StudioProcess } from './studio-process.js';
import { waitFor } from './wait-for.js';

export const ARTIFACTS = path.join(REPO, 'test', 'artifacts');

export interface ServerFields {
  label: string;
  url: string;
  streamKey?: string;
  controlUrl?: string;
  token?: string;
}

export interface StudioRig {
  studio: StudioProcess;
  browser: Browser;
  nodes: NodeProcess[];
  /** A fresh page on the studio's one-time link, loaded, with page errors collected. */
  openStudio(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Builds the renderer, starts `nodes` Tandem nodes (node-1, node-2, … with fixed ports), the studio and Chromium. */
export async function startStudioRig(o: { nodes: number; nodeEnv?: (i: number) => Record<string, string> }): Promise<StudioRig> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const nodes: NodeProcess[] = [];
  let studio: StudioProcess | null = null;
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close();
    await studio?.stop();
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const rendererDir = await sharedRendererDir();
    const ports = await freePorts(o.nodes * 2);
    for (let i = 0; i < o.nodes; i++) {
      nodes.push(await startNode({ ports: { http: ports[2 * i]!, rtmp: ports[2 * i + 1]! }, env: { TANDEM_NODE_ID: `node-${i + 1}`, ...o.nodeEnv?.(i) } }));
    }
    studio = await startStudio({ rendererDir });
    browser = await launchChromium();
  } catch (err) {
    await close();
    throw err;
  }
  const s = studio;
  const b = browser;
  return {
    studio: s,
    browser: b,
    nodes,
    async openStudio() {
      const page = await b.context.newPage();
      await page.setViewportSize({ width: 1400, height: 1000 });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(s.url);
      await page.waitForSelector('[data-testid="add-server"]', { timeout: 20_000 });
      return { page, errors };
    },
    close,
  };
}

/** The id the studio generates from a server's name (lower case, dashes). */
export function idFor(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Fills the server form as a presenter would (no id: the studio makes one) and saves it. */
export async function addServer(page: Page, s: ServerFields): Promise<string> {
  await page.click('[data-testid="add-server"]');
  await fillServerForm(page, s);
  const id = idFor(s.label);
  await page.click('[data-testid="save-server"]');
  await page.waitForSelector('[data-testid="server-form"]', { state: 'detached', timeout: 10_000 });
  return id;
}

export async function fillServerForm(page: Page, s: Partial<ServerFields>): Promise<void> {
  const form = page.locator('[data-testid="server-form"]');
  if (s.label !== undefined) await form.locator('input[name="label"]').fill(s.label);
  if (s.url !== undefined) await form.locator('input[name="url"]').fill(s.url);
  if (s.streamKey !== undefined) await form.locator('input[name="streamKey"]').fill(s.streamKey);
  if (s.controlUrl !== undefined) await form.locator('input[name="controlUrl"]').fill(s.controlUrl);
  if (s.token !== undefined) await form.locator('input[name="token"]').fill(s.token);
}

/** A tile's attribute (data-state, data-word, data-reason), or null while it is not there. */
export async function tileAttr(page: Page, id: string, attr: 'data-state' | 'data-word' | 'data-reason'): Promise<string | null> {
  return page.getAttribute(`[data-testid="tile-${id}"]`, attr, { timeout: 1000 }).catch(() => null);
}

export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector, { timeout: 2000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
}

export async function waitTile(page: Page, id: string, state: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => (await tileAttr(page, id, 'data-state')) === state, timeoutMs, `tile ${id} ${state}`, 100);
}

export async function goLive(page: Page): Promise<void> {
  await page.click('[data-testid="go-live"]');
  await page.waitForSelector('[data-testid="live-view"]', { timeout: 20_000 });
}

/** Stop, as a presenter does it: the button, then the confirmation. */
export async function stopWebcast(page: Page): Promise<void> {
  await page.click('[data-testid="stop"]');
  await page.waitForSelector('[role="alertdialog"]');
  await page.click('[data-testid="confirm-stop"]');
  await page.waitForSelector('[data-testid="setup-view"]', { timeout: 20_000 });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

/**
 * Whether a viewer page plays: the player's currentTime advances by `by` seconds in state live.
 * Polled with evaluate (the viewer page's CSP forbids the eval waitForFunction needs).
 */
export async function waitViewerPlaying(page: Page, by: number, timeoutMs: number): Promise<void> {
  let first: number | null = null;
  await waitFor(
    async () => {
      const p = (await page.evaluate(`({ t: document.getElementById('video')?.currentTime ?? 0, state: document.documentElement.dataset.state || '' })`)) as { t: number; state: string };
      first ??= p.t;
      return p.t - first >= by && p.state === 'live';
    },
    timeoutMs,
    'viewer playback advancing',
    100,
  );
}
