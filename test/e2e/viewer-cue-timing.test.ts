// Cues in time with the video, in Debian Chromium on two real nodes whose timelines differ. The
// source is a Matroska chunk stream (as the presenter app records it) whose picture is white for
// the first second of every two and black for the second, so the frame on screen tells the stream
// time. Node B joins five seconds after node A, so its relay's timeline differs from A's: a cue
// stamped once for everyone would be off on one of them. Each viewer must show each cue on a frame
// of the stream time it was sent for, within a frame or two of the stamp.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { startControlCluster, type ControlNode } from '../support/control-cluster.js';
import { waitForState } from '../support/engine-harness.js';
import { launchChromium, openPages, waitPage, type Browser } from '../support/node-browser.js';
import { waitFor } from '../support/node-process.js';

interface Shown {
  id: string;
  luma: number;
  shownAtTs: number;
  cueTs: number;
}

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let browser: Browser;
let mc: MultiConnection;
let rec: ChildProcess | null = null;
const pages: Page[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** White (Y 235) for source time [0, 1) s of every 2 s, black (Y 16) for [1, 2) s. */
const colourAt = (sourceMs: number): 'white' | 'black' => ((sourceMs % 2000) + 2000) % 2000 < 1000 ? 'white' : 'black';
const colourOf = (luma: number): 'white' | 'black' | 'grey' => (luma > 180 ? 'white' : luma < 70 ? 'black' : 'grey');

// The mean brightness of the frame on screen (a 16×9 thumbnail), installed once per page.
const LUMA = `window.__luma = (() => {
  const video = document.getElementById('video');
  const canvas = document.createElement('canvas');
  canvas.width = 16;
  canvas.height = 9;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  return () => {
    g.drawImage(video, 0, 0, 16, 9);
    const d = g.getImageData(0, 0, 16, 9).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i];
    return sum / (d.length / 4);
  };
})(), true`;

// Records, for every cue the page shows, the brightness of the frame on screen at that moment.
const RECORDER = `(() => {
  window.__shown = [];
  const cue = document.getElementById('cue');
  new MutationObserver(() => {
    if (!cue.dataset.cueId || window.__shown.some((s) => s.id === cue.dataset.cueId)) return;
    window.__shown.push({ id: cue.dataset.cueId, luma: window.__luma(), shownAtTs: Number(cue.dataset.shownAtTs), cueTs: Number(cue.dataset.cueTs) });
  }).observe(cue, { attributes: true, childList: true, characterData: true, subtree: true });
  return true;
})()`;

beforeAll(async () => {
  cluster = await startControlCluster(2, { cluster: true });
  const [a, b] = cluster.nodes as [ControlNode, ControlNode];
  await b.node.stop();
  mc = new MultiConnection({ control: { statsEveryMs: 0 } });
  await mc.connect([a.server, b.server]);
  await mc.publish({ kind: 'chunks' });
  rec = spawn('ffmpeg', [
    '-hide_banner', '-v', 'error', '-re', '-f', 'lavfi', '-i', "color=c=black:s=320x180:r=30,format=yuv420p,drawbox=c=white:t=fill:enable='lt(mod(t,2),1)'",
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '90',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-c:a', 'libopus', '-b:a', '64k',
    '-f', 'matroska', '-cluster_time_limit', '100', 'pipe:1',
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  rec.stdout!.on('data', (chunk: Buffer) => mc?.pushChunk(chunk));
  await waitForState(mc, a.id, 'live', 15_000);
  // Five seconds of stream on A before B exists: B's timeline starts at 0 that much later.
  await sleep(5000);
  await b.restart();
  await waitForState(mc, b.id, 'live', 15_000);

  browser = await launchChromium();
  pages.push(...(await openPages(browser, cluster.nodes.map((n) => `${n.node.base}/`))));
  for (const [i, p] of pages.entries()) {
    await waitPage(p, `document.documentElement.dataset.state === 'live' && document.getElementById('interaction').dataset.controlNode === '${cluster.nodes[i]!.id}'`, 20_000, `viewer ${i} live with control`);
    await p.evaluate(LUMA);
    await p.evaluate(RECORDER);
  }
}, 90_000);

afterAll(async () => {
  rec?.kill('SIGKILL');
  await browser?.close();
  await mc?.stop();
  await cluster?.stop();
});

async function shownOn(p: Page, id: string, what: string): Promise<Shown> {
  return waitFor(async () => ((await p.evaluate('window.__shown')) as Shown[]).find((s) => s.id === id), 10_000, what, 50);
}

describe('cues in time with the video', () => {
  it('plays the visual clock on both viewers', async () => {
    for (const p of pages) {
      const seen = new Set<string>();
      const until = Date.now() + 4000;
      while (Date.now() < until && seen.size < 2) {
        seen.add(colourOf((await p.evaluate('window.__luma()')) as number));
        await sleep(100);
      }
      expect([...seen]).toEqual(expect.arrayContaining(['white', 'black']));
    }
  });

  it('shows a cue sent now on the frame it was sent at, on each node at its own timestamp', async () => {
    // Send when the source is mid-way through a colour, so the frame shown tells whether it is right.
    const now = await waitFor(() => {
      const t = mc.nsTime();
      return t % 1000 >= 400 && t % 1000 <= 600 ? t : null;
    }, 3000, 'mid-colour moment', 5);
    const cue = mc.nsSend('slide', { title: 'Now' });
    const [onA, onB] = await Promise.all(pages.map((p, i) => shownOn(p, cue.id, `cue shown on viewer ${i}`)));
    for (const s of [onA!, onB!]) {
      expect(colourOf(s.luma)).toBe(colourAt(now));
      expect(s.shownAtTs - s.cueTs).toBeGreaterThanOrEqual(0);
      expect(s.shownAtTs - s.cueTs).toBeLessThan(150);
    }
    // Each node stamped it on its own timeline. B's relay kept trying while B was down, and every
    // attempt restarts its timeline at wall-clock time from the start of the current GOP, so B's
    // runs ahead of A's by some hundreds of milliseconds per attempt.
    expect(Math.abs(onA!.cueTs - onB!.cueTs)).toBeGreaterThan(200);
  });

  it('holds cues sent for a moment ahead until playback reaches it, each on the right frame', async () => {
    const results: Array<{ expected: string; got: string[]; late: number[]; heldMs: number }> = [];
    for (let i = 0; i < 4; i++) {
      const now = mc.nsTime();
      // The next mid-colour moment 0.6–1.6 s ahead: a cue shown on arrival would show the other colour.
      const at = Math.ceil((now + 600 - 500) / 1000) * 1000 + 500;
      const sentAt = Date.now();
      const cue = mc.nsSend('slide', { title: `Ahead ${i}` }, at);
      const shown = await Promise.all(pages.map((p, n) => shownOn(p, cue.id, `cue ${i} on viewer ${n}`)));
      results.push({ expected: colourAt(at), got: shown.map((s) => colourOf(s.luma)), late: shown.map((s) => s.shownAtTs - s.cueTs), heldMs: Date.now() - sentAt });
    }
    for (const r of results) {
      expect(r.got).toEqual([r.expected, r.expected]);
      for (const late of r.late) {
        expect(late).toBeGreaterThanOrEqual(0);
        expect(late).toBeLessThan(150);
      }
      expect(r.heldMs).toBeGreaterThan(400);
    }
  });

  it('after a failover, times cues on the new node\'s timeline', async () => {
    const [a, b] = cluster.nodes as [ControlNode, ControlNode];
    await a.node.stop();
    const p = pages[0]!;
    await waitPage(p, `document.documentElement.dataset.node === '${b.node.base}' && document.documentElement.dataset.state === 'live' && document.getElementById('interaction').dataset.controlNode === '${b.id}'`, 20_000, 'viewer A moved to node B');
    await sleep(1000); // playing B for a moment, so a cue ahead is ahead of its playback too
    const at = Math.ceil((mc.nsTime() + 600 - 500) / 1000) * 1000 + 500;
    const cue = mc.nsSend('slide', { title: 'After failover' }, at);
    const shown = await Promise.all(pages.map((pg, n) => shownOn(pg, cue.id, `cue after failover on viewer ${n}`)));
    for (const s of shown) {
      expect(colourOf(s.luma)).toBe(colourAt(at));
      expect(s.shownAtTs - s.cueTs).toBeGreaterThanOrEqual(0);
      expect(s.shownAtTs - s.cueTs).toBeLessThan(150);
    }
    // Both pages now play node B, so both got B's stamp.
    expect(shown[0]!.cueTs).toBe(shown[1]!.cueTs);
  });
});
