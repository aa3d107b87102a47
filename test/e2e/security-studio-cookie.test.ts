// Issue 11: in browser mode the session cookie alone opens nothing. Cookies are not separated by
// port, so a page served on another 127.0.0.1 port receives `tandem_studio=…` from Chromium; with
// that cookie and a forged Origin, a script (here Node's ws, which may set any header) is refused.
// The real tab, holding the per-tab secret from the one-time link in sessionStorage, works, and
// keeps working after a reload.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { sharedRendererDir } from '../support/renderer-build.js';

let rendererDir: string;
let studio: StudioProcess;
let browser: Browser;
let other: http.Server;
/** Cookie headers the other local page's server was sent. */
const cookiesSeen: string[] = [];

beforeAll(async () => {
  rendererDir = await sharedRendererDir();
  studio = await startStudio({ rendererDir });
  browser = await launchChromium();
  other = http.createServer((req, res) => {
    cookiesSeen.push(req.headers.cookie ?? '');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another local page</title>');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await new Promise<void>((resolve) => (other ? other.close(() => resolve()) : resolve()));
});

/** Opens /ipc from Node with the given headers: 'open' or the HTTP status it was refused with. */
function tryIpc(headers: Record<string, string>, protocols: string[] = []): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${studio.origin.replace('http', 'ws')}/ipc`, protocols, { headers });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve('no answer');
    }, 5000);
    ws.once('open', () => {
      clearTimeout(timer);
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve(`HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}

describe('browser mode: the studio cookie replayed from another local origin', () => {
  it('opens nothing, while the tab that opened the link works, also after a reload', async () => {
    const page = await browser.context.newPage();
    await page.goto(studio.url);
    await page.waitForSelector('[data-testid="brand-name"]', { timeout: 20_000 });
    // The secret left the address bar for this tab's sessionStorage.
    expect(page.url()).not.toContain('#tab=');
    expect(await page.evaluate("(sessionStorage.getItem('tandem.tab') ?? '').length")).toBeGreaterThanOrEqual(32);

    // Another server on 127.0.0.1 gets the studio's cookie: cookies ignore the port.
    const evil = await browser.context.newPage();
    await evil.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const stolen = cookiesSeen.map((c) => /tandem_studio=[^;]+/.exec(c)?.[0]).find(Boolean);
    expect(stolen, 'the other local page received the studio cookie').toBeTruthy();

    // Replayed with the studio's own Origin forged: refused, with or without made-up secrets.
    expect(await tryIpc({ cookie: stolen!, origin: studio.origin })).toBe('HTTP 403');
    expect(await tryIpc({ cookie: stolen!, origin: studio.origin }, ['tandem.ipc', `tandem.tab.${'A'.repeat(43)}`])).toBe('HTTP 403');
    // From the other page itself, the browser's WebSocket (with the cookie attached) is refused too.
    // (A string, not a function: the test module's own `WebSocket` import would be rewritten into it.)
    const fromPage = await evil.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket(${JSON.stringify(studio.origin.replace('http', 'ws') + '/ipc')});
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    })`);
    expect(fromPage).toBe('refused');

    // The real tab still works, and after a reload too (its secret is in sessionStorage).
    await page.reload();
    await page.waitForSelector('[data-testid="brand-name"]', { timeout: 20_000 });
    expect(await page.locator('text=Reconnecting to the engine').count()).toBe(0);
    const servers = String(
      await page.evaluate(`new Promise((resolve) => {
        const secret = sessionStorage.getItem('tandem.tab');
        const ws = new WebSocket('ws://' + location.host + '/ipc', ['tandem.ipc', 'tandem.tab.' + secret]);
        ws.onmessage = (e) => { resolve(String(e.data)); ws.close(); };
        ws.onopen = () => ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'servers.list', args: {} }));
        ws.onerror = () => resolve('refused');
      })`),
    );
    expect(JSON.parse(servers)).toMatchObject({ t: 'result', id: 1, result: { ok: true } });
  });
});
