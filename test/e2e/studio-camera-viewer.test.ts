// A viewer plays the presenter's CAMERA, not just the engine's test pattern: the studio goes live
// with Chromium's fake camera and microphone (WebCodecs H.264 + Opus → the engine → a real Tandem
// node), and a viewer page in its own browser plays it continuously for 12 s of wall time: the
// position moves with the clock, never stands still for long, and the page never reconnects.
// Why a camera viewer once stalled and reconnected (~6 times in 30 s): a test granted the studio
// clipboard access, which replaced its camera and microphone grants; Chromium ended the capture,
// the stream froze with the publish still up, and every connect got the node's last second again.
// So the end also checks that a capture that ends while live is said in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPublishUrl } from '../../common/publish-url.js';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { waitFor } from '../support/wait-for.js';
import { type StudioRig, addServer, goLive, screenshot, startStudioRig, stopWebcast, text, waitTile, waitViewerPlaying } from '../support/studio-rig.js';

/** How long the viewer is watched once it plays (wall time). */
const WATCH_MS = 12_000;
const SAMPLE_MS = 250;

let rig: StudioRig;
let viewerBrowser: Browser | null = null;

beforeAll(async () => {
  rig = await startStudioRig({ nodes: 1 });
});

afterAll(async () => {
  await viewerBrowser?.close();
  await rig?.close();
});

interface ViewerSample {
  at: number;
  t: number;
  state: string;
  switches: number;
}

describe('a viewer plays the presenter camera', () => {
  it('plays the camera stream continuously for 12 s, in step with the clock, without reconnecting', async () => {
    const [n1] = rig.nodes as [(typeof rig.nodes)[0]];
    const { page, errors } = await rig.openStudio();
    const good = splitPublishUrl(n1.publishUrl('main'));
    await addServer(page, { label: 'Node 1', url: good.base, streamKey: good.secret, controlUrl: n1.base });
    // No "Stream the test pattern" click: the camera is what goes live.
    await goLive(page);
    await waitTile(page, 'node-1', 'live', 30_000);

    viewerBrowser = await launchChromium();
    const viewer = await viewerBrowser.context.newPage();
    const consoleLines: string[] = [];
    viewer.on('console', (m) => consoleLines.push(m.text()));
    await viewer.goto(`${n1.base}/`);
    await waitViewerPlaying(viewer, 0.5, 30_000);

    // The viewer plays the camera's own H.264 (WebCodecs' Constrained Baseline, avc1.42…), not
    // the engine's x264 test pattern (High, avc1.64…).
    const videoInit = consoleLines.find((l) => l.includes('Initialization Segment') && l.includes('video/mp4'));
    expect(videoInit, consoleLines.join('\n')).toMatch(/codecs=avc1\.42/);

    const sample = async (): Promise<ViewerSample> => {
      const s = (await viewer.evaluate(
        `({ t: document.getElementById('video').currentTime, state: document.documentElement.dataset.state || '', switches: Number(document.documentElement.dataset.switches || 0) })`,
      )) as Omit<ViewerSample, 'at'>;
      return { at: Date.now(), ...s };
    };
    const samples: ViewerSample[] = [await sample()];
    const start = samples[0]!;
    // Bounded by WATCH_MS (plus one slow evaluate): one sample every SAMPLE_MS.
    await waitFor(
      async () => {
        samples.push(await sample());
        return samples.at(-1)!.at - start.at >= WATCH_MS;
      },
      { timeoutMs: WATCH_MS + 10_000, intervalMs: SAMPLE_MS, what: 'the watch window to pass' },
    );
    const end = samples.at(-1)!;
    const wallS = (end.at - start.at) / 1000;
    const playedS = end.t - start.t;
    // The longest wall time the position did not move.
    let longestStillMs = 0;
    let movedAt = start.at;
    for (let i = 1; i < samples.length; i++) {
      if (samples[i]!.t > samples[i - 1]!.t + 0.01) movedAt = samples[i]!.at;
      longestStillMs = Math.max(longestStillMs, samples[i]!.at - movedAt);
    }
    const story = samples.map((s) => `${s.at - start.at} ms: t=${s.t.toFixed(2)} ${s.state} switches=${s.switches}`).join('\n');
    console.log(`camera viewer: played ${playedS.toFixed(2)} s in ${wallS.toFixed(2)} s of wall time, longest standstill ${longestStillMs} ms, switches ${end.switches}`);

    // Never reconnected, from the first connect to the end of the window, and Live throughout.
    expect(end.switches, story).toBe(0);
    expect(samples.every((s) => s.state === 'live'), story).toBe(true);
    // In step with the clock: a live player catches up at most 10% faster, and the camera may
    // run a little slower than real time on a loaded 2-core machine (measured 0.9–1.05×).
    expect(playedS / wallS, story).toBeGreaterThan(0.7);
    expect(playedS / wallS, story).toBeLessThan(1.3);
    // Continuous: never still for as long as the page's stall limit (3 s) would give the node up.
    expect(longestStillMs, story).toBeLessThan(2500);
    await screenshot(viewer, 'studio-camera-viewer.png');

    await viewerBrowser.close();
    viewerBrowser = null;

    // Camera access withdrawn while live (grantPermissions replaces the origin's grants): Chromium
    // ends the capture and nothing new reaches the servers. The studio says so in words.
    await rig.browser.context.grantPermissions(['clipboard-read'], { origin: rig.studio.origin });
    await page.waitForSelector(`[data-testid="live-view"] [role="alert"] >> text=Your stream has no new picture or sound`, { timeout: 10_000 });
    expect(await text(page, '[data-testid="live-view"] [role="alert"]')).toMatch(/the (camera|microphone) stopped \(access was withdrawn or the device went away\)/);
    await screenshot(page, 'studio-camera-ended.png');
    await stopWebcast(page);
    expect(errors).toEqual([]);
  });
});
