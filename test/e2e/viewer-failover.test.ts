// The viewer page in Debian Chromium: it plays the live stream (currentTime advances) from its node,
// and when that node is killed it plays from another node of the cluster within 5 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher, type Publisher } from '../support/node-publisher.js';
import { freePorts } from '../support/ports.js';

let browser: Browser;
const nodes: NodeProcess[] = [];
const publishers: Publisher[] = [];

beforeAll(async () => {
  const [h1, r1, h2, r2] = await freePorts(4);
  const cluster = `http://127.0.0.1:${h1},http://127.0.0.1:${h2}`;
  for (const [http, rtmp, id] of [[h1!, r1!, 'node-1'], [h2!, r2!, 'node-2']] as const) {
    const node = await startNode({ ports: { http, rtmp }, env: { TANDEM_CLUSTER: cluster, TANDEM_NODE_ID: id } });
    nodes.push(node);
    publishers.push(startPublisher(node.publishUrl('main'), { seconds: 90 }));
  }
  for (const n of nodes) await waitFor(async () => (await n.metric('tandem_live_streams')) === 1, 20_000, `${n.base} live`);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(publishers.map((p) => p.stop()));
  await Promise.all(nodes.map((n) => n.stop()));
});

async function playback(page: Page): Promise<{ t: number; state: string; node: string }> {
  // Runs in the page; a string keeps DOM types out of this Node-typed test.
  return page.evaluate(`({
    t: document.getElementById('video').currentTime,
    state: document.documentElement.dataset.state || '',
    node: document.documentElement.dataset.node || '',
  })`);
}

/** Resolves once currentTime has advanced by at least `by` seconds while on `node`. */
async function waitPlaying(page: Page, node: string, by: number, timeoutMs: number): Promise<void> {
  let first: number | null = null;
  await waitFor(async () => {
    const p = await playback(page);
    if (p.node !== node) {
      first = null;
      return false;
    }
    first ??= p.t;
    return p.t - first >= by && p.state === 'live';
  }, timeoutMs, `playback advancing on ${node}`, 100);
}

describe('viewer page', () => {
  it('is branded, plays the live stream, and fails over to another node within 5 s', async () => {
    const [n1, n2] = nodes as [NodeProcess, NodeProcess];
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const res = await page.goto(`${n1.base}/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await waitFor(async () => (await page.textContent('#brand-name')) === 'Tandem', 5000, 'brand name');
    expect(await page.getAttribute('#interaction', 'data-slot')).toBe('control-plane');

    await waitPlaying(page, n1.base, 1.0, 20_000);

    n1.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await waitPlaying(page, n2.base, 0.5, 5000);
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThanOrEqual(5000);
    expect((await playback(page)).state).toBe('live');
    expect(errors).toEqual([]);
  });

  it('fails over when its node stalls without closing the connection', async () => {
    const [, n2] = nodes as [NodeProcess, NodeProcess];
    // Bring a third node up in n1's place, on n1's ports, so the cluster list stays valid.
    const [n1] = nodes as [NodeProcess];
    const cluster = nodes.map((n) => n.base).join(',');
    const revived = await startNode({ ports: { http: n1.httpPort, rtmp: n1.rtmpPort }, secret: n1.secret, env: { TANDEM_CLUSTER: cluster } });
    nodes.push(revived);
    publishers.push(startPublisher(revived.publishUrl('main'), { seconds: 60 }));
    await waitFor(async () => (await revived.metric('tandem_live_streams')) === 1, 20_000, 'revived node live');

    const page = await browser.context.newPage();
    await page.goto(`${n2.base}/`);
    await waitPlaying(page, n2.base, 1.0, 20_000);
    // Freeze node 2 (supervisor and media core): the WebSocket stays open but nothing arrives.
    const frozen = [n2.proc.pid!, n2.mediaPid()];
    frozen.forEach((pid) => process.kill(pid, 'SIGSTOP'));
    try {
      const frozenAt = Date.now();
      // 3 s of stall detection after the buffered media runs out, then a fresh connection.
      await waitPlaying(page, revived.base, 0.5, 8000);
      expect(Date.now() - frozenAt).toBeLessThanOrEqual(8000);
    } finally {
      frozen.forEach((pid) => process.kill(pid, 'SIGCONT'));
    }
  });
});
