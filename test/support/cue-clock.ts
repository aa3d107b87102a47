// Test and bench support for cue timing: two real Tandem nodes whose relay timelines differ (node B
// joins five seconds after A), the engine publishing a Matroska chunk stream (as the presenter app
// records it) whose picture tells the stream time — white for the first second of every two, black
// for the second — and one Chromium viewer page per node recording, for every cue it shows, the
// brightness of the frame on screen at that moment.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Page } from 'playwright-core';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { startControlCluster, type ControlNode } from './control-cluster.js';
import { waitForState } from './engine-harness.js';
import { launchChromium, openPages, waitPage, type Browser } from './node-browser.js';
import { waitFor } from './wait-for.js';

export interface Shown {
  id: string;
  luma: number;
  /** The FLV timestamp on screen when the page showed the cue, and the cue's stamp. */
  shownAtTs: number;
  cueTs: number;
}

export interface CueRig {
  mc: MultiConnection;
  nodes: [ControlNode, ControlNode];
  pages: [Page, Page];
  stop(): Promise<void>;
}

/** White (Y 235) for source time [0, 1) s of every 2 s, black (Y 16) for [1, 2) s. */
export const colourAt = (sourceMs: number): 'white' | 'black' => ((sourceMs % 2000) + 2000) % 2000 < 1000 ? 'white' : 'black';
export const colourOf = (luma: number): 'white' | 'black' | 'grey' => (luma > 180 ? 'white' : luma < 70 ? 'black' : 'grey');

/** The next mid-colour moment at least `minLeadMs` after `nowMs` (within the following second). */
export const nextMidColour = (nowMs: number, minLeadMs: number): number => Math.ceil((nowMs + minLeadMs - 500) / 1000) * 1000 + 500;

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

export async function shownOn(p: Page, id: string, what: string, timeoutMs = 10_000): Promise<Shown> {
  return waitFor(async () => ((await p.evaluate('window.__shown')) as Shown[]).find((s) => s.id === id), timeoutMs, what, 50);
}

/** The mean brightness of the frame on screen now. */
export async function lumaNow(p: Page): Promise<number> {
  return (await p.evaluate('window.__luma()')) as number;
}

export async function startCueRig(sourceSeconds = 90): Promise<CueRig> {
  const cluster = await startControlCluster(2, { cluster: true });
  let mc: MultiConnection | null = null;
  let rec: ChildProcess | null = null;
  let browser: Browser | null = null;
  const stop = async () => {
    rec?.kill('SIGKILL');
    await browser?.close();
    await mc?.stop();
    await cluster.stop();
  };
  try {
    const [a, b] = cluster.nodes as [ControlNode, ControlNode];
    await b.node.stop();
    mc = new MultiConnection({ control: { statsEveryMs: 0 } });
    await mc.connect([a.server, b.server]);
    await mc.publish({ kind: 'chunks' });
    const engine = mc;
    rec = spawn('ffmpeg', [
      '-hide_banner', '-v', 'error', '-re', '-f', 'lavfi', '-i', "color=c=black:s=320x180:r=30,format=yuv420p,drawbox=c=white:t=fill:enable='lt(mod(t,2),1)'",
      '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(sourceSeconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-c:a', 'libopus', '-b:a', '64k',
      '-f', 'matroska', '-cluster_time_limit', '100', 'pipe:1',
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    rec.stdout!.on('data', (chunk: Buffer) => engine.pushChunk(chunk));
    await waitForState(mc, a.id, 'live', 15_000);
    // Five seconds of stream on A before B exists, so their timelines differ: stream time, which a
    // busy machine's encoder may produce slower than the wall clock.
    const liveAt = mc.nsTime();
    await waitFor(() => engine.nsTime() >= liveAt + 5000, { timeoutMs: 20_000, what: '5 s of stream on node A' });
    await b.restart();
    await waitForState(mc, b.id, 'live', 15_000);

    browser = await launchChromium();
    const pages = (await openPages(browser, cluster.nodes.map((n) => `${n.node.base}/`))) as [Page, Page];
    for (const [i, p] of pages.entries()) {
      await waitPage(p, `document.documentElement.dataset.state === 'live' && document.getElementById('interaction').dataset.controlNode === '${cluster.nodes[i]!.id}'`, 20_000, `viewer ${i} live with control`);
      await p.evaluate(LUMA);
      await p.evaluate(RECORDER);
    }
    return { mc, nodes: [a, b], pages, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
