// One run of the studio-uplink e2e (issue #12), inside a network namespace of its own (root; the
// test starts it with `unshare -n`, nothing leaves loopback): two Tandem nodes, `tandem studio` and
// Chromium, the presenter streaming the test pattern (2.5 Mb/s) to both through a shaped upload.
// The upload is squeezed to 3 Mb/s (below the 5.8 Mb/s two servers need) until the live view says
// "Reduced for your connection", restored until the queues drain, then the presenter stops and the
// studio shows the recording. A player (ffprobe pulling HTTP-FLV) watches node-1 throughout: its
// last timestamp is how long the webcast ran as a server saw it. Prints one JSON line of what was
// seen; the test asserts on it. Screenshots: test/artifacts/studio-uplink-*.png.
//   argv[2] 'camera': the presenter's camera instead (Chromium's fake device playing a noisy clip this
//   run makes, so the H.264 costs what it is allowed: the built-in fake picture costs ~0.3 Mb/s at
//   any bitrate, and a step could not show), encoded by WebCodecs in the page: the
//   engine's new bitrate reaches it over the videoBitrate event, and the recording (a copy of the
//   camera's H.264) shows the video's rate before the squeeze and after the step
//   (studio-uplink-camera.test.ts).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { splitPublishUrl } from '../../../common/publish-url.js';
import { launchChromium, type Browser } from '../../support/node-browser.js';
import { pullRtmp, type PullHandle } from '../../support/rtmp-pull.js';
import { ShapedUplink, inOwnNetns, upLoopback } from '../../support/shaped-uplink.js';
import { type StudioRig, addServer, goLive, screenshot, startStudioRig, stopWebcast, text, waitTile } from '../../support/studio-rig.js';
import { waitFor } from '../../support/wait-for.js';

const run = promisify(execFile);
const MBIT = 1_000_000;

/** The tile's queue in seconds ("queue 0.4 s"), NaN while the tile shows none. */
async function queueSeconds(page: Awaited<ReturnType<StudioRig['openStudio']>>['page'], id: string): Promise<number> {
  const m = /queue (\d+\.\d) s/.exec(await text(page, `[data-testid="queue-${id}"]`));
  return m ? Number(m[1]) : NaN;
}

interface Probed {
  durationS: number;
  videoPackets: number;
  codecs: string[];
  /** Video packets: pts from the recording's start (s) and size (bytes). */
  video: Array<{ t: number; size: number }>;
}

async function probe(file: string): Promise<Probed> {
  const { stdout: pkts } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,size', '-of', 'csv=p=0', file]);
  const rows = pkts
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number))
    .filter(([t, size]) => Number.isFinite(t) && Number.isFinite(size))
    .sort((a, b) => a[0]! - b[0]!);
  const t0 = rows[0]?.[0] ?? 0;
  const video = rows.map(([t, size]) => ({ t: t! - t0, size: size! }));
  const { stdout: streams } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file]);
  return { durationS: video.at(-1)?.t ?? 0, videoPackets: video.length, codecs: streams.trim().split('\n').filter(Boolean), video };
}

/** The video's rate in [from, to) seconds of the recording, kb/s. */
function kbps(video: Probed['video'], from: number, to: number): number {
  const bytes = video.filter((p) => p.t >= from && p.t < to).reduce((n, p) => n + p.size, 0);
  return Math.round((bytes * 8) / 1000 / (to - from));
}

/**
 * The studio in a Chromium whose fake camera plays a 4 s noisy clip (640×360, 30 fps, looped), made
 * here with ffmpeg; the studio's one-time link is used by this page instead of the rig's browser.
 */
async function openWithCamera(rig: StudioRig, keep: (b: Browser) => void): Promise<Awaited<ReturnType<StudioRig['openStudio']>>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-camera-'));
  const clip = path.join(dir, 'camera.y4m');
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30,noise=alls=12:allf=t', '-t', '4', '-pix_fmt', 'yuv420p', '-y', clip]);
  const browser = await launchChromium([`--use-file-for-fake-video-capture=${clip}`]);
  keep({ context: browser.context, close: () => browser.close().finally(() => fs.rmSync(dir, { recursive: true, force: true })) });
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(rig.studio.url);
  await page.waitForSelector('[data-testid="add-server"]', { timeout: 20_000 });
  return { page, errors };
}

async function main(): Promise<void> {
  if (!inOwnNetns()) throw new Error('run by test/e2e/studio-uplink.test.ts inside its own network namespace');
  const camera = process.argv[2] === 'camera';
  const shot = (name: string) => `studio-uplink${camera ? '-camera' : ''}-${name}.png`;
  upLoopback();
  const rig = await startStudioRig({ nodes: 2 });
  let pull: PullHandle | null = null;
  let cameraBrowser: Browser | null = null;
  try {
    const shaped = ShapedUplink.setUp({ ports: rig.nodes.map((n) => n.rtmpPort), uploadBps: 20 * MBIT });
    const { page, errors } = camera ? await openWithCamera(rig, (b) => (cameraBrowser = b)) : await rig.openStudio();
    if (!camera) await page.click('text=Stream the test pattern instead of my camera');
    for (const [i, n] of rig.nodes.entries()) {
      const { base, secret } = splitPublishUrl(n.publishUrl('main', 3600));
      await addServer(page, { label: `Node ${i + 1}`, url: base, streamKey: secret });
    }
    // Recording is on by default, into the studio's recordings folder.
    const recordingSwitch = await page.isChecked('[data-testid="recording-switch"]', { timeout: 5000 });
    await goLive(page);
    for (const id of ['node-1', 'node-2']) await waitTile(page, id, 'live', 30_000);
    pull = pullRtmp(`http://127.0.0.1:${rig.nodes[0]!.httpPort}/live/main.flv`, { durationMs: 90_000 });
    // The encoder's first output can take seconds on a loaded machine: the strip says so once bytes flow.
    const liveAt = performance.now();
    await waitFor(async () => / Mb\/s getting through/.test(await text(page, '[data-testid="uplink-usage"]')), 30_000, 'the network strip showing the upload in use', 100);
    const flowingMs = Math.round(performance.now() - liveAt);
    const before = { step: await text(page, '[data-testid="uplink-step"]'), usage: await text(page, '[data-testid="uplink-usage"]'), recording: await text(page, '[data-testid="recording-line"]') };
    // The camera's rate before the squeeze is measured over the seconds before it.
    if (camera) await new Promise((r) => setTimeout(r, 5000));
    await screenshot(page, shot('full'));

    // The squeeze: 3 Mb/s for two servers that need 2 × 2.9 on the wire.
    const squeezedAt = performance.now();
    shaped.setUpload(3 * MBIT);
    await waitFor(async () => (await text(page, '[data-testid="uplink-step"]')).startsWith('Reduced for your connection'), 20_000, '"Reduced for your connection" in the live view', 100).catch(async (err: unknown) => {
      // What the presenter saw instead: the strip and both tiles.
      await screenshot(page, shot('not-reduced'));
      const strip = await text(page, '[data-testid="network-strip"]');
      const tiles = [await text(page, '[data-testid="tile-node-1"]'), await text(page, '[data-testid="tile-node-2"]')];
      throw new Error(`${(err as Error).message}; the strip: ${strip}; the tiles: ${tiles.join(' | ')}`);
    });
    const stepDownMs = Math.round(performance.now() - squeezedAt);
    const queueDuring = [await queueSeconds(page, 'node-1'), await queueSeconds(page, 'node-2')];
    const reduced = { step: await text(page, '[data-testid="uplink-step"]'), usage: await text(page, '[data-testid="uplink-usage"]'), headline: await text(page, '[data-testid="live-headline"]') };
    await screenshot(page, shot('reduced'));
    // The camera's encoder at its new rate for a while, so the recording shows it.
    if (camera) await new Promise((r) => setTimeout(r, 5000));

    // The upload comes back; the queues drain before the presenter stops (nothing is left in flight).
    shaped.setUpload(20 * MBIT);
    const restoredAt = performance.now();
    await waitFor(async () => (await queueSeconds(page, 'node-1')) <= 0.2 && (await queueSeconds(page, 'node-2')) <= 0.2, 20_000, 'both queues drained', 200);
    const drainMs = Math.round(performance.now() - restoredAt);
    const stopAt = performance.now();
    await stopWebcast(page);
    const saved = await page.waitForSelector('[data-testid="recording-saved"][data-state="finished"]', { timeout: 20_000 });
    const file = (await saved.getAttribute('data-file')) ?? '';
    const savedText = await text(page, '[data-testid="recording-saved-text"]');
    await screenshot(page, shot('saved'));
    const player = await pull.stop();
    pull = null;
    const video = player.packets.filter((p) => p.codecType === 'video' && p.dtsMs !== null);
    const webcastS = video.length > 0 ? Math.max(...video.map((p) => p.dtsMs!)) / 1000 : 0;
    const exists = file !== '' && fs.existsSync(file);
    const probed = exists ? await probe(file) : null;
    // Where the squeeze falls in the recording: its end is the stop.
    const squeezeAtS = probed ? probed.durationS - (stopAt - squeezedAt) / 1000 : 0;
    const rec = probed && {
      durationS: probed.durationS,
      videoPackets: probed.videoPackets,
      codecs: probed.codecs,
      kbpsBeforeSqueeze: kbps(probed.video, Math.max(0, squeezeAtS - 4), squeezeAtS - 0.5),
      kbpsLast3s: kbps(probed.video, probed.durationS - 3, probed.durationS),
    };
    console.log(
      JSON.stringify({
        camera,
        recordingSwitch,
        before,
        flowingMs,
        stepDownMs,
        drainMs,
        reduced,
        queueDuring,
        savedText,
        file: path.basename(file),
        inRecordingsDir: path.dirname(file) === path.join(rig.studio.dataDir, 'recordings'),
        exists,
        fileBytes: exists ? fs.statSync(file).size : 0,
        recording: rec,
        webcastS,
        playerVideoPackets: video.length,
        pageErrors: errors,
      }),
    );
  } finally {
    await pull?.stop();
    await (cameraBrowser as Browser | null)?.close();
    await rig.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
