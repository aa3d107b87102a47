// The viewer page applies Q&A changes in Debian Chromium (issue 13): on a node with 300 questions
// and the engine's control plane, the page gets the public view once, then only deltas (the large
// ones as deflated binary frames, inflated by the page), and after new questions, a pin, an answer
// and a dismissal it shows exactly the engine's public view, in its order. Screenshot:
// test/artifacts/qa-delta-page.png.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../common/control-protocol.js';
import { QA_OBJECT, type PublicQuestion } from '../../common/qa.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { REPO, startNode, waitFor, type NodeProcess } from '../support/node-process.js';

const SEEDED = 300;
let dir: string;
let node: NodeProcess;
let plane: ControlPlane;
let browser: Browser;
let page: Page;
const frames: { binary: boolean; text: string | null }[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tandem-qa-delta-page-'));
  const lines = Array.from({ length: SEEDED }, (_, i) => JSON.stringify({ t: 'q', q: { id: `seed-${String(i).padStart(6, '0')}`, text: `Seeded question ${i}`, askedAt: 1_000_000 + i, votes: 0 } }));
  writeFileSync(path.join(dir, 'questions.jsonl'), lines.join('\n') + '\n');
  const token = randomBytes(24).toString('hex');
  node = await startNode({ env: { TANDEM_CONTROL_TOKEN: token, TANDEM_CONTROL_DIR: dir, TANDEM_QUESTIONS_PER_ADDRESS_PER_MIN: '10000' } });
  plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  plane.setServers([{ id: 'n', url: 'rtmp://127.0.0.1/live', controlUrl: node.base, controlToken: token }]);
  await plane.connect(5000);
  await waitFor(() => ((plane.getSo(QA_OBJECT, 'questions') as unknown[] | undefined)?.length ?? 0) === 100, 20_000, 'the public view');
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('websocket', (ws) => {
    if (!ws.url().endsWith('/control')) return;
    ws.on('framereceived', ({ payload }) => frames.push(typeof payload === 'string' ? { binary: false, text: payload } : { binary: true, text: null }));
  });
  await page.goto(`${node.base}/`);
  await waitPage(page, `document.querySelectorAll('#qa-list .qa-item').length === 100`, 15_000, 'the first view on the page');
}, 60_000);

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await browser?.close();
  plane?.dispose();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Asks from a plain viewer socket of its own (the node allows one question per connection per 10 s). */
async function ask(id: string, text: string): Promise<void> {
  const ws = new WebSocket(node.base.replace(/^http/, 'ws') + '/control');
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'viewer' })));
    ws.once('error', reject);
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; question?: { id: string } };
      if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'qa.ask', id, text }));
      if (m.type === 'qa.asked' && m.question?.id === id) resolve();
      if (m.type === 'error') reject(new Error(`the node refused the question: ${String(d)}`));
    });
  });
  ws.close();
}

/** The ids the page shows, pinned first, in its order. */
const pageIds = () => page.evaluate(`[...document.querySelectorAll('#qa-pinned .qa-item, #qa-list .qa-item')].map((e) => e.dataset.id).join(',')`) as Promise<string>;
const engineIds = () => ((plane.getSo(QA_OBJECT, 'questions') ?? []) as unknown as PublicQuestion[]).map((q) => q.id).join(',');

describe('the viewer page and Q&A deltas', () => {
  it('applies deltas, deflated ones too, to exactly the engine view', async () => {
    const syncsBefore = frames.filter((f) => f.text?.includes('"type":"so.sync"') && f.text.includes(`"name":"${QA_OBJECT}"`)).length;
    for (let i = 0; i < 12; i++) await ask(`q-page-delta-${String(i).padStart(3, '0')}`, `Page delta question ${i}`);
    plane.moderate({ action: 'pin', questionId: 'seed-000150' });
    plane.moderate({ action: 'answer', questionId: 'seed-000299' });
    plane.moderate({ action: 'dismiss', questionId: 'seed-000298' });
    await waitFor(() => engineIds().includes('q-page-delta-011') && !engineIds().includes('seed-000298'), 5000, 'the engine view');
    await waitFor(async () => (await pageIds()) === engineIds(), 5000, 'the page showing the engine view');
    expect((await pageIds()).split(',')[0]).toBe('seed-000150');
    // Answered questions rank last: with 300 open ones it left the view, on the page too.
    expect(await pageIds()).not.toContain('seed-000299');

    const deltas = frames.filter((f) => f.binary || f.text?.includes('"type":"so.delta"'));
    expect(deltas.length).toBeGreaterThan(0);
    // The new questions' patches are large enough to travel deflated: the page inflated them.
    expect(frames.some((f) => f.binary)).toBe(true);
    // No resync was needed: the only full view of `qa` was the first one.
    expect(frames.filter((f) => f.text?.includes('"type":"so.sync"') && f.text.includes(`"name":"${QA_OBJECT}"`)).length).toBe(syncsBefore);
    mkdirSync(path.join(REPO, 'test', 'artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'test', 'artifacts', 'qa-delta-page.png'), fullPage: false });
  }, 30_000);
});
