// Test support: Debian's Chromium through playwright-core, with a fresh throwaway profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { waitFor } from './wait-for.js';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** `extraArgs`: more Chromium flags (e.g. a file for the fake camera, --ignore-certificate-errors for a self-signed node). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'tandem-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
  let closing: Promise<void> | null = null;
  return {
    context,
    close: () => {
      closing ??= context.close().finally(() => rmSync(profile, { recursive: true, force: true }));
      return closing;
    },
  };
}

/**
 * The viewer page's CSP forbids eval, so waitForFunction cannot run there: poll with evaluate
 * instead. A timeout says where the page was (its dataset: state, node, switches, ...).
 */
export async function waitPage(p: Page, expr: string, timeoutMs: number, what = expr, everyMs = 50): Promise<unknown> {
  try {
    return await waitFor(() => p.evaluate(expr), timeoutMs, what, everyMs);
  } catch (err) {
    const where = await p
      .evaluate(`JSON.stringify({ ...document.documentElement.dataset, t: document.getElementById('video')?.currentTime })`)
      .catch((e: unknown) => `(page unreadable: ${String(e)})`);
    throw new Error(`${(err as Error).message}; the page at ${p.url()}: ${String(where)}`, { cause: err });
  }
}

/** One new page per URL, in order, each loaded. */
export async function openPages(browser: Browser, urls: string[]): Promise<Page[]> {
  const pages: Page[] = [];
  for (const url of urls) {
    const page = await browser.context.newPage();
    await page.goto(url);
    pages.push(page);
  }
  return pages;
}
