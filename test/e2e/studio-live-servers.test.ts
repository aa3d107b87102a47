// Servers added and removed while live, as a presenter clicks, against real Tandem nodes: Go Live
// with the 3-2-1 countdown (shown before the first frame), a third node added while live is
// checked and goes live within 3 s while node 1 plays on without a gap (a real RTMP pull of node 1
// across the add), and a removed node asks first, then stops alone. Screenshots: studio-countdown,
// studio-live-added (test/artifacts/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPublishUrl } from '../../common/publish-url.js';
import { maxArrivalGapMs, maxDtsGapMs, pullRtmp } from '../support/rtmp-pull.js';
import { type StudioRig, addServer, fillServerForm, screenshot, startStudioRig, stopWebcast, text, tileAttr, waitTile } from '../support/studio-rig.js';
import { waitFor } from '../support/wait-for.js';

let rig: StudioRig;

beforeAll(async () => {
  rig = await startStudioRig({ nodes: 3 });
});

afterAll(async () => {
  await rig?.close();
});

describe('servers while live', () => {
  it('counts down, adds a server to the running webcast without a gap on the others, and removes one after asking', async () => {
    const [n1, n2, n3] = rig.nodes as [(typeof rig.nodes)[0], (typeof rig.nodes)[0], (typeof rig.nodes)[0]];
    const { page, errors } = await rig.openStudio();
    for (const [label, n] of [
      ['Node 1', n1],
      ['Node 2', n2],
    ] as const) {
      const { base, secret } = splitPublishUrl(n.publishUrl('main'));
      await addServer(page, { label, url: base, streamKey: secret, controlUrl: n.base });
    }

    // Go Live with the countdown: the 3-2-1 shows before any server is live.
    await page.check('[data-testid="countdown-switch"]');
    await page.click('[data-testid="go-live"]');
    await page.waitForSelector('[data-testid="countdown"]', { timeout: 10_000 });
    expect(await text(page, '[data-testid="countdown"]')).toMatch(/^[123]\s*Viewers see this countdown too$/);
    expect(await page.$('[data-testid="tile-node-1"]')).toBeNull();
    await screenshot(page, 'studio-countdown.png');
    await waitTile(page, 'node-1', 'live', 30_000);
    await waitTile(page, 'node-2', 'live', 30_000);
    expect(await page.$('[data-testid="countdown"]')).toBeNull();
    expect(await text(page, '[data-testid="live-headline"]')).toBe('Live on both servers');

    // A viewer of node 1, pulled across the whole change.
    const pull = pullRtmp(`rtmp://127.0.0.1:${n1.rtmpPort}/live/main`, { durationMs: 60_000, analyzeDurationUs: 1_500_000 });
    await pull.waitFor((ps) => ps.filter((p) => p.codecType === 'video').length >= 30);
    const n1Reconnects = await text(page, '[data-testid="reconnects-node-1"]');

    // Add node 3 while live: checked, then live within 3 s; the others are not touched.
    const third = splitPublishUrl(n3.publishUrl('main'));
    await page.click('[data-testid="add-server"]');
    await fillServerForm(page, { label: 'Node 3', url: third.base, streamKey: third.secret, controlUrl: n3.base });
    expect(await text(page, '[data-testid="live-save-note"]')).toContain('the others are not touched');
    const savedAt = Date.now();
    await page.click('[data-testid="save-server"]');
    await waitTile(page, 'node-3', 'live', 15_000);
    const liveAfterMs = Date.now() - savedAt;
    await waitFor(async () => (await text(page, '[data-testid="live-headline"]')) === 'Live on all 3 servers', 5000, 'headline with three servers');
    await page.click('text=Setup results');
    expect(await page.getAttribute('[data-testid="result-node-3"]', 'data-word')).toBe('Live');
    await screenshot(page, 'studio-live-added.png');
    // Node 3 really has the stream.
    const pull3 = pullRtmp(`rtmp://127.0.0.1:${n3.rtmpPort}/live/main`, { durationMs: 20_000, analyzeDurationUs: 1_500_000 });
    expect(await pull3.waitFor((ps) => ps.some((p) => p.codecType === 'video' && p.keyframe) && ps.some((p) => p.codecType === 'audio'))).toBe(true);
    await pull3.stop();

    // Remove node 3: it asks first; "Keep it" keeps it; then it stops alone.
    await page.click('[data-testid="remove-node-3"]');
    await page.waitForSelector('[data-testid="confirm-remove-dialog"]');
    expect(await text(page, '[data-testid="confirm-remove-dialog"]')).toContain('the other servers stay live');
    await page.click('[data-testid="confirm-remove-dialog"] >> text=Keep it');
    expect(await tileAttr(page, 'node-3', 'data-state')).toBe('live');
    await page.click('[data-testid="remove-node-3"]');
    await page.click('[data-testid="confirm-remove"]');
    await page.waitForSelector('[data-testid="tile-node-3"]', { state: 'detached', timeout: 10_000 });
    await waitFor(async () => (await text(page, '[data-testid="live-headline"]')) === 'Live on both servers', 5000, 'headline back to two');
    await waitFor(async () => (await n3.metric('tandem_publishers').catch(() => -1)) === 0, 10_000, 'node 3 lost its publisher');

    // Node 1 never noticed: no reconnect, and its viewer saw no gap in media or arrival.
    const res = await pull.stop();
    expect(await tileAttr(page, 'node-1', 'data-state')).toBe('live');
    expect(await tileAttr(page, 'node-2', 'data-state')).toBe('live');
    expect(await text(page, '[data-testid="reconnects-node-1"]')).toBe(n1Reconnects);
    const dtsGap = maxDtsGapMs(res.packets).video ?? Infinity;
    const arrivalGap = maxArrivalGapMs(res.packets, 'video');
    expect(dtsGap, res.stderr.slice(-500)).toBeLessThan(1000);
    expect(arrivalGap).toBeLessThan(1500);

    await stopWebcast(page);
    expect(errors).toEqual([]);
    console.log(`node 3 live ${liveAfterMs} ms after Save; node 1's largest video dts step ${dtsGap} ms, arrival gap ${arrivalGap} ms`);
    expect(liveAfterMs).toBeLessThan(3000);
  });
});
