// One run of the studio-uplink-recording-disk e2e (issue #12), inside a mount namespace of its own (root;
// the test starts it with `unshare -m`): the studio records into a 4 MB tmpfs mounted here, far
// below the recorder's free-space floor, so the recording stops at its first disk check. The
// presenter's live view says so in words while both servers stay live and the upload keeps flowing;
// at Stop the panel says what was (not) saved and why. Prints one JSON line; the test asserts on it.
// Screenshots: test/artifacts/studio-disk-{live,stopped}.png.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { splitPublishUrl } from '../../../common/publish-url.js';
import { addServer, goLive, screenshot, startStudioRig, stopWebcast, text, waitTile } from '../../support/studio-rig.js';
import { waitFor } from '../../support/wait-for.js';

async function main(): Promise<void> {
  if (process.env.TANDEM_OWN_MOUNTNS !== '1') throw new Error('run by test/e2e/studio-uplink-recording-disk.test.ts inside its own mount namespace');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
  // The studio (a child of this process) records here: the recordings folder setting for browser mode.
  process.env.TANDEM_RECORDINGS_DIR = path.join(dir, 'Tandem');
  const rig = await startStudioRig({ nodes: 2 });
  try {
    const { page, errors } = await rig.openStudio();
    await page.click('text=Stream the test pattern instead of my camera');
    for (const [i, n] of rig.nodes.entries()) {
      const { base, secret } = splitPublishUrl(n.publishUrl('main', 3600));
      await addServer(page, { label: `Node ${i + 1}`, url: base, streamKey: secret });
    }
    await goLive(page);
    for (const id of ['node-1', 'node-2']) await waitTile(page, id, 'live', 30_000);
    const line = '[data-testid="recording-line"]';
    await waitFor(async () => (await page.getAttribute(line, 'data-state', { timeout: 1000 }).catch(() => null)) === 'failed', 20_000, 'the recording stopped in the live view', 100);
    const warning = await text(page, line);
    // The webcast goes on: both servers live and bytes still getting through, seconds later.
    const acked = async () => Promise.all(rig.nodes.map(async (_n, i) => Number(/Sending([\d.]+) Mb\/s/.exec(await text(page, `[data-testid="tile-node-${i + 1}"]`))?.[1] ?? 0)));
    await new Promise((r) => setTimeout(r, 3000));
    const sendingMbps = await acked();
    const headline = await text(page, '[data-testid="live-headline"]');
    await screenshot(page, 'studio-disk-live.png');
    await stopWebcast(page);
    await page.waitForSelector('[data-testid="recording-saved"]', { timeout: 20_000 });
    const saved = await text(page, '[data-testid="recording-saved-text"]');
    await screenshot(page, 'studio-disk-stopped.png');
    console.log(JSON.stringify({ warning, headline, sendingMbps, saved, pageErrors: errors }));
  } finally {
    await rig.close();
    execFileSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
