// Cues in time with the video, in Debian Chromium on two real nodes whose timelines differ (see
// test/support/cue-clock.ts: the picture is white for the first second of every two and black for
// the second, so the frame on screen tells the stream time; node B joins five seconds after A). A
// cue stamped once for every server, or shown on arrival, would be off on one of them. Each viewer
// must show each cue on a frame of the stream time it was sent for, within a frame or two of the stamp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colourAt, colourOf, lumaNow, nextMidColour, shownOn, startCueRig, type CueRig } from '../support/cue-clock.js';
import { waitPage } from '../support/node-browser.js';
import { waitFor } from '../support/node-process.js';

let rig: CueRig;
/** How far past its stamp playback may be when a cue shows (bench:cue measures ~10 ms; CI is busier). */
const MAX_LATE_MS = 250;

beforeAll(async () => {
  rig = await startCueRig();
}, 90_000);

afterAll(async () => {
  await rig?.stop();
});

describe('cues in time with the video', () => {
  it('plays the visual clock on both viewers', async () => {
    for (const p of rig.pages) {
      const seen = new Set<string>();
      const both = async () => seen.add(colourOf(await lumaNow(p))).has('white') && seen.has('black');
      await waitFor(both, 6000, 'white and black frames on screen', 100).catch(() => {});
      expect([...seen]).toEqual(expect.arrayContaining(['white', 'black']));
    }
  });

  it('shows a cue sent now on the frame it was sent at, on each node at its own timestamp', async () => {
    // Send when the source is mid-way through a colour, so the frame shown tells whether it is right.
    const now = await waitFor(() => {
      const t = rig.mc.nsTime();
      return t % 1000 >= 400 && t % 1000 <= 600 ? t : null;
    }, 3000, 'mid-colour moment', 5);
    const cue = rig.mc.nsSend('slide', { title: 'Now' });
    const [onA, onB] = await Promise.all(rig.pages.map((p, i) => shownOn(p, cue.id, `cue shown on viewer ${i}`)));
    for (const s of [onA!, onB!]) {
      expect(colourOf(s.luma)).toBe(colourAt(now));
      expect(s.shownAtTs - s.cueTs).toBeGreaterThanOrEqual(0);
      expect(s.shownAtTs - s.cueTs).toBeLessThan(MAX_LATE_MS);
    }
    // Each node stamped it on its own timeline. B's relay kept trying while B was down, and every
    // attempt restarts its timeline at wall-clock time from the start of the current GOP, so B's
    // runs ahead of A's by some hundreds of milliseconds per attempt.
    expect(Math.abs(onA!.cueTs - onB!.cueTs)).toBeGreaterThan(200);
  });

  it('holds cues sent for a moment ahead until playback reaches it, each on the right frame', async () => {
    const results: Array<{ expected: string; got: string[]; late: number[]; heldMs: number }> = [];
    for (let i = 0; i < 4; i++) {
      // The next mid-colour moment 0.6–1.6 s ahead: a cue shown on arrival would show the other colour.
      const at = nextMidColour(rig.mc.nsTime(), 600);
      const sentAt = Date.now();
      const cue = rig.mc.nsSend('slide', { title: `Ahead ${i}` }, at);
      const shown = await Promise.all(rig.pages.map((p, n) => shownOn(p, cue.id, `cue ${i} on viewer ${n}`)));
      results.push({ expected: colourAt(at), got: shown.map((s) => colourOf(s.luma)), late: shown.map((s) => s.shownAtTs - s.cueTs), heldMs: Date.now() - sentAt });
    }
    for (const r of results) {
      expect(r.got).toEqual([r.expected, r.expected]);
      for (const late of r.late) {
        expect(late).toBeGreaterThanOrEqual(0);
        expect(late).toBeLessThan(MAX_LATE_MS);
      }
      expect(r.heldMs).toBeGreaterThan(400);
    }
  });

  it('after a failover, times cues on the new node\'s timeline', async () => {
    const [a, b] = rig.nodes;
    await a.node.stop();
    const p = rig.pages[0];
    await waitPage(p, `document.documentElement.dataset.node === '${b.node.base}' && document.documentElement.dataset.state === 'live' && document.getElementById('interaction').dataset.controlNode === '${b.id}'`, 20_000, 'viewer A moved to node B');
    // Playing B for a moment (its stream starts at currentTime 0), so a cue ahead is ahead of its playback too.
    await waitPage(p, `document.getElementById('video').currentTime >= 1`, 10_000, 'viewer A playing B for a second');
    const at = nextMidColour(rig.mc.nsTime(), 600);
    const cue = rig.mc.nsSend('slide', { title: 'After failover' }, at);
    const shown = await Promise.all(rig.pages.map((pg, n) => shownOn(pg, cue.id, `cue after failover on viewer ${n}`)));
    for (const s of shown) {
      expect(colourOf(s.luma)).toBe(colourAt(at));
      expect(s.shownAtTs - s.cueTs).toBeGreaterThanOrEqual(0);
      expect(s.shownAtTs - s.cueTs).toBeLessThan(MAX_LATE_MS);
    }
    // Both pages now play node B, so both got B's stamp.
    expect(shown[0]!.cueTs).toBe(shown[1]!.cueTs);
  });
});
