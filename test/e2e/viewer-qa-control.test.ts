// The viewer page's interaction region in Debian Chromium on three nodes driven by the engine:
// a question with a script-injection payload shows as plain text, the banner follows a shared
// object, a pin and an answered mark are seen on every node's page, a page's upvote reaches the
// merged list, cues show.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { startControlCluster } from '../support/control-cluster.js';
import { launchChromium, openPages, waitPage, type Browser } from '../support/node-browser.js';
import { waitFor } from '../support/node-process.js';

const PAYLOAD = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"'&amp; why?`;
let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let browser: Browser;
let mc: MultiConnection;
const pages: Page[] = [];

beforeAll(async () => {
  cluster = await startControlCluster(3);
  mc = new MultiConnection({ control: { statsEveryMs: 0 } });
  const setup = await mc.connect(cluster.nodes.map((n) => n.server));
  expect(setup.servers.every((s) => s.control?.state === 'connected')).toBe(true);
  browser = await launchChromium();
  pages.push(...(await openPages(browser, cluster.nodes.map((n) => `${n.node.base}/`))));
  for (const [i, p] of pages.entries()) {
    await waitPage(p, `document.getElementById('interaction').dataset.controlNode === '${cluster.nodes[i]!.id}'`, 15_000);
  }
});

afterAll(async () => {
  await browser?.close();
  await mc?.stop();
  await cluster?.stop();
});


const pageState = (p: Page) =>
  p.evaluate(`(() => {
    const r = document.getElementById('interaction');
    return {
      hidden: r.hidden,
      banner: document.getElementById('banner').textContent,
      cue: document.getElementById('cue').textContent,
      pinned: [...document.querySelectorAll('#qa-pinned .qa-text')].map((e) => e.textContent),
      list: [...document.querySelectorAll('#qa-list .qa-text')].map((e) => e.textContent),
      votes: [...document.querySelectorAll('.qa-vote')].map((e) => e.textContent),
      imgs: r.querySelectorAll('img').length,
      scripts: r.querySelectorAll('script').length,
      pwned: window.__pwned ?? null,
    };
  })()`) as Promise<{ hidden: boolean; banner: string; cue: string; pinned: string[]; list: string[]; votes: string[]; imgs: number; scripts: number; pwned: unknown }>;

describe('viewer page interaction region', () => {
  it('shows a script-injection question as plain text on every node, takes an upvote, and shows the pin everywhere', async () => {
    const [a, b] = pages as [Page, Page, Page];
    await a.fill('#qa-text', PAYLOAD);
    await a.fill('#qa-name', '<b>Mallory</b>');
    await a.click('#qa-form button[type=submit]');
    const q = await waitFor(() => mc.control.questions.find((x) => x.text === PAYLOAD), 5000, 'question on the engine');
    expect(q.name).toBe('<b>Mallory</b>');

    for (const p of pages) await waitPage(p, `document.querySelectorAll('#qa-list .qa-text').length === 1`, 5000);
    for (const p of pages) {
      const s = await pageState(p);
      expect(s.hidden).toBe(false);
      expect(s.list).toEqual([PAYLOAD]);
      expect(s.imgs).toBe(0);
      expect(s.scripts).toBe(0);
      expect(s.pwned).toBeNull();
    }

    await b.click('#qa-list .qa-vote');
    await waitFor(() => mc.control.questions.find((x) => x.id === q.id)?.votes === 1, 5000, 'vote from page B');

    mc.control.moderate({ action: 'pin', questionId: q.id });
    for (const p of pages) await waitPage(p, `document.querySelectorAll('#qa-pinned .qa-text').length === 1`, 5000);
    for (const p of pages) {
      const s = await pageState(p);
      expect(s.pinned).toEqual([PAYLOAD]);
      expect(s.votes).toEqual(['▲ 1']);
    }
  });

  it('marks a question answered on every node\'s page once the presenter answers it', async () => {
    const c = pages[2]!;
    await c.fill('#qa-text', 'Will the slides be shared?');
    await c.click('#qa-form button[type=submit]');
    const q = await waitFor(() => mc.control.questions.find((x) => x.text === 'Will the slides be shared?'), 5000, 'second question on the engine');
    const item = `document.querySelector('#qa-list li.qa-item[data-id="${q.id}"]')`;
    for (const p of pages) await waitPage(p, `${item} !== null`, 5000);
    for (const p of pages) expect(await p.evaluate(`[${item}.classList.contains('answered'), document.querySelectorAll('.qa-answered').length]`)).toEqual([false, 0]);

    mc.control.moderate({ action: 'answer', questionId: q.id });
    for (const p of pages) await waitPage(p, `${item}?.classList.contains('answered') && ${item}.querySelector('.qa-answered')?.textContent === 'Answered'`, 5000);
    // Only that one: the pinned question is not marked.
    for (const p of pages) expect(await p.evaluate(`[document.querySelectorAll('.qa-answered').length, document.querySelectorAll('#qa-pinned .answered').length]`)).toEqual([1, 0]);
  });

  it('drives the banner from a shared object and shows cues', async () => {
    mc.setSoValue('banner', 'title', '<i>Slide 3</i>: Results');
    mc.nsSend('slide', { title: 'Now: Results' });
    for (const p of pages) {
      await waitPage(p, `document.getElementById('banner').textContent === '<i>Slide 3</i>: Results' && document.getElementById('cue').textContent === 'Now: Results'`, 5000);
    }
  });
});
