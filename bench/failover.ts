// bench:failover — go-live time, re-join time and what healthy servers see meanwhile.
// Three servers (two node-media-server, one nginx-rtmp); one node-media-server is killed with
// SIGKILL and restarted on its port, CYCLES times, while the other two are pulled throughout.
//   golive_ms: Go Live (connect + publish) → a player on every server has its first keyframe.
//   encoder_ms: Go Live → the encoder's first output (ffmpeg's start-up, the same for any N);
//   after_encoder_ms is the rest: the publishers, the servers and the players.
//   rejoin_ms: the restarted server's port accepts → a player on it has the first keyframe.
//   rejoin_state_ms: the same → the app shows the server live again (publish confirmed for 300 ms).
//   max_gap_ms_on_healthy: the largest timestamp step the players of the other two servers saw.
import { MultiConnection } from '../main/engine/multi-connection.js';
import { SMALL_TEST_SOURCE, waitForState } from '../test/support/engine-harness.js';
import { startNginxRtmp } from '../test/support/nginx-rtmp-fixture.js';
import { startNms } from '../test/support/nms-fixture.js';
import { acceptedAt } from '../test/support/ports.js';
import { httpFlvFirstKeyframeAt, rtmpFirstKeyframeAt } from '../test/support/first-keyframe.js';
import { type PullHandle, maxDtsGapMs, pullRtmp } from '../test/support/rtmp-pull.js';

const CYCLES = Math.max(5, Number(process.env.BENCH_CYCLES ?? 5));
const DOWN_MS = Number(process.env.BENCH_DOWN_MS ?? 2000);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const [a, b, c] = await Promise.all([startNms(), startNms(), startNginxRtmp()]);
  const mc = new MultiConnection();
  const pulls: PullHandle[] = [];
  try {
    const name = 'failover';
    const urls = { a: a.url('live', name), b: b.url('live', name), c: c.url('live', name) };
    const players = [
      httpFlvFirstKeyframeAt(`http://127.0.0.1:${a.httpPort}/live/${name}.flv`, 15_000),
      httpFlvFirstKeyframeAt(`http://127.0.0.1:${b.httpPort}/live/${name}.flv`, 15_000),
      rtmpFirstKeyframeAt(urls.c, 15_000),
    ];
    await new Promise((r) => setTimeout(r, 300)); // players attached and waiting, as viewers would be
    let encoderAt = 0;
    mc.onEncoderStatus((e) => {
      if (e.state === 'running' && encoderAt === 0) encoderAt = Date.now();
    });
    const t0 = Date.now();
    await mc.connect(Object.entries(urls).map(([id, url]) => ({ id, url })));
    await mc.publish(SMALL_TEST_SOURCE);
    const firstKey = (await Promise.all(players)).map((t) => t - t0);
    const golive = Math.max(...firstKey);
    const encoderMs = encoderAt - t0;
    console.log(JSON.stringify({ bench: 'failover', event: 'golive', golive_ms: golive, encoder_ms: encoderMs, after_encoder_ms: golive - encoderMs, nms_a_ms: firstKey[0], nms_b_ms: firstKey[1], nginx_ms: firstKey[2] }));

    const totalMs = CYCLES * (DOWN_MS + 6000) + 5000;
    pulls.push(pullRtmp(urls.b, { durationMs: totalMs, analyzeDurationUs: 1_500_000 }), pullRtmp(urls.c, { durationMs: totalMs, analyzeDurationUs: 1_500_000 }));
    await new Promise((r) => setTimeout(r, 3000));
    const rejoins: number[] = [];
    const stateRejoins: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      a.kill('SIGKILL');
      await waitForState(mc, 'a', 'reconnecting', 5000);
      await new Promise((r) => setTimeout(r, DOWN_MS));
      const restart = a.restart();
      const accepted = await acceptedAt(a.rtmpPort, 15_000);
      const player = httpFlvFirstKeyframeAt(`http://127.0.0.1:${a.httpPort}/live/${name}.flv`, 10_000);
      await restart;
      const live = await waitForState(mc, 'a', 'live', 10_000);
      const keyframe = await player;
      rejoins.push(keyframe - accepted);
      stateRejoins.push(live - accepted);
      console.log(JSON.stringify({ bench: 'failover', event: 'rejoin', cycle: i + 1, rejoin_ms: keyframe - accepted, rejoin_state_ms: live - accepted }));
      await new Promise((r) => setTimeout(r, 3000));
    }
    const results = await Promise.all(pulls.map((p) => p.stop()));
    const gaps = results.flatMap((r) => Object.values(maxDtsGapMs(r.packets)));
    console.log(JSON.stringify({
      bench: 'failover',
      cycles: CYCLES,
      golive_ms: golive,
      encoder_ms: encoderMs,
      rejoin_ms_p50: pct(rejoins, 50),
      rejoin_ms_max: Math.max(...rejoins),
      rejoin_state_ms_p50: pct(stateRejoins, 50),
      max_gap_ms_on_healthy: Math.max(...gaps),
    }));
  } finally {
    await Promise.all(pulls.map((p) => p.stop()));
    await mc.stop();
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
