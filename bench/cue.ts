// bench:cue — how exactly viewers show cues. Two real nodes whose relay timelines differ, one
// Chromium viewer on each, a source whose picture tells the stream time (test/support/cue-clock.ts).
// CUES cues, alternately sent "now" (at a mid-colour moment) and for a mid-colour moment 0.6–1.6 s
// ahead. Per cue and viewer: whether the frame on screen when the cue was shown is the colour of the
// stream time it was sent for, and how far past its stamp playback was (late_ms).
import { colourAt, colourOf, nextMidColour, shownOn, startCueRig } from '../test/support/cue-clock.js';

const CUES = Math.min(200, Math.max(4, Number(process.env.BENCH_CUES ?? 20)));

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const rig = await startCueRig(Math.ceil(CUES * 2.5) + 60);
  try {
    const late: number[] = [];
    let right = 0;
    let shownCount = 0;
    const stampDiff: number[] = [];
    for (let i = 0; i < CUES; i++) {
      let at: number;
      let cue;
      if (i % 2 === 0) {
        // Wait (at most 1.2 s) for a mid-colour moment, then cue "now".
        const until = Date.now() + 1200;
        while (Date.now() < until && !(rig.mc.nsTime() % 1000 >= 400 && rig.mc.nsTime() % 1000 <= 600)) await sleep(5);
        at = rig.mc.nsTime();
        cue = rig.mc.nsSend('bench', { title: `now ${i}` });
      } else {
        at = nextMidColour(rig.mc.nsTime(), 600);
        cue = rig.mc.nsSend('bench', { title: `ahead ${i}` }, at);
      }
      const shown = await Promise.all(rig.pages.map((p, n) => shownOn(p, cue.id, `cue ${i} on viewer ${n}`)));
      for (const s of shown) {
        shownCount++;
        if (colourOf(s.luma) === colourAt(at)) right++;
        late.push(s.shownAtTs - s.cueTs);
      }
      stampDiff.push(Math.abs(shown[0]!.cueTs - shown[1]!.cueTs));
      await sleep(300);
    }
    console.log(JSON.stringify({
      bench: 'cue',
      viewers: rig.pages.length,
      cues: CUES,
      right_frame: right,
      shown: shownCount,
      late_ms_p50: Math.round(pct(late, 50)),
      late_ms_max: Math.round(Math.max(...late)),
      late_ms_min: Math.round(Math.min(...late)),
      node_timelines_apart_ms: Math.round(pct(stampDiff, 50)),
    }));
  } finally {
    await rig.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
