// One run of the studio-uplink e2e (issue #12), inside a network namespace of its own (root; the
// test starts it with `unshare -n`, nothing leaves loopback): two Tandem nodes, `tandem studio` and
// Chromium, the presenter streaming the test pattern (2.5 Mb/s) to both through a shaped upload.
// The upload is squeezed to 3 Mb/s (below the 5.8 Mb/s two servers need) until the live view says
// "Reduced for your connection", restored until the queues drain, then the presenter stops and the
// studio shows the recording. A player (ffprobe pulling HTTP-FLV) watches node-1 throughout: its
// last timestamp is how long the webcast ran as a server saw it. Prints one JSON line of what was
// seen; the test asserts on it. Screenshots: test/artifacts/studio-uplink-*.png.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { splitPublishUrl } from '../../../common/publish-url.js';
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

async function probe(file: string): Promise<{ durationS: number; videoPackets: number; codecs: string[] }> {
  const { stdout: pts } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  const times = pts.trim().split('\n').map(Number).filter(Number.isFinite).sort((a, b) => a - b);
  const { stdout: streams } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file]);
  return { durationS: times.length > 1 ? times.at(-1)! - times[0]! : 0, videoPackets: times.length, codecs: streams.trim().split('\n').filter(Boolean) };
}

async function main(): Promise<void> {
  if (!inOwnNetns()) throw new Error('run by test/e2e/studio-uplink.test.ts inside its own network namespace');
  upLoopback();
  const rig = await startStudioRig({ nodes: 2 });
  let pull: PullHandle | null = null;
  try {
    const shaped = ShapedUplink.setUp({ ports: rig.nodes.map((n) => n.rtmpPort), uploadBps: 20 * MBIT });
    const { page, errors } = await rig.openStudio();
    await page.click('text=Stream the test pattern instead of my camera');
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
    await waitFor(async () => / Mb\/s used/.test(await text(page, '[data-testid="uplink-usage"]')), 30_000, 'the network strip showing the upload in use', 100);
    const flowingMs = Math.round(performance.now() - liveAt);
    const before = { step: await text(page, '[data-testid="uplink-step"]'), usage: await text(page, '[data-testid="uplink-usage"]'), recording: await text(page, '[data-testid="recording-line"]') };
    await screenshot(page, 'studio-uplink-full.png');

    // The squeeze: 3 Mb/s for two servers that need 2 × 2.9 on the wire.
    const squeezedAt = performance.now();
    shaped.setUpload(3 * MBIT);
    await waitFor(async () => (await text(page, '[data-testid="uplink-step"]')).startsWith('Reduced for your connection'), 20_000, '"Reduced for your connection" in the live view', 100);
    const stepDownMs = Math.round(performance.now() - squeezedAt);
    const queueDuring = [await queueSeconds(page, 'node-1'), await queueSeconds(page, 'node-2')];
    const reduced = { step: await text(page, '[data-testid="uplink-step"]'), usage: await text(page, '[data-testid="uplink-usage"]'), headline: await text(page, '[data-testid="live-headline"]') };
    await screenshot(page, 'studio-uplink-reduced.png');

    // The upload comes back; the queues drain before the presenter stops (nothing is left in flight).
    shaped.setUpload(20 * MBIT);
    const restoredAt = performance.now();
    await waitFor(async () => (await queueSeconds(page, 'node-1')) <= 0.2 && (await queueSeconds(page, 'node-2')) <= 0.2, 20_000, 'both queues drained', 200);
    const drainMs = Math.round(performance.now() - restoredAt);
    await stopWebcast(page);
    const saved = await page.waitForSelector('[data-testid="recording-saved"][data-state="finished"]', { timeout: 20_000 });
    const file = (await saved.getAttribute('data-file')) ?? '';
    const savedText = await text(page, '[data-testid="recording-saved-text"]');
    await screenshot(page, 'studio-uplink-saved.png');
    const player = await pull.stop();
    pull = null;
    const video = player.packets.filter((p) => p.codecType === 'video' && p.dtsMs !== null);
    const webcastS = video.length > 0 ? Math.max(...video.map((p) => p.dtsMs!)) / 1000 : 0;
    const exists = file !== '' && fs.existsSync(file);
    const rec = exists ? await probe(file) : null;
    console.log(
      JSON.stringify({
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
