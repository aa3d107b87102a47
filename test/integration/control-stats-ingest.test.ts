// getStats' ingestBps is the configured stream's own bitrate as the node receives it from its
// publisher: a ~500 kb/s publisher reads as ~500 kb/s, whatever else the node carries (a second,
// unrelated stream at three times that, viewers pulling the stream).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControl, type ControlClient } from '../support/control-client.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';

const token = randomBytes(24).toString('hex');
let node: NodeProcess;
const open: ControlClient[] = [];
const stops: Array<() => Promise<void>> = [];

/** A constant-bitrate ffmpeg publisher: `videoKbps` of H.264 (CBR with filler) + 64 kb/s AAC. */
function publish(url: string, videoKbps: number, seconds = 40): () => Promise<void> {
  const k = `${videoKbps}k`;
  const proc = spawn(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-re', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p',
      '-b:v', k, '-minrate', k, '-maxrate', k, '-bufsize', `${Math.round(videoKbps / 2)}k`, '-x264-params', 'nal-hrd=cbr',
      '-c:a', 'aac', '-b:a', '64k',
      '-f', 'flv', url,
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  };
  stops.push(stop);
  return stop;
}

async function getStats(p: ControlClient, n: number): Promise<{ live: boolean; ingestBps: number; viewers: number }> {
  const id = `s${n}`;
  p.send({ type: 'call', id, method: 'getStats' });
  return (await p.next('call.result', (m) => m.id === id)).value as { live: boolean; ingestBps: number; viewers: number };
}

/** getStats' ingestBps every 500 ms for `ms`: the median, so one odd sample does not decide. */
async function medianIngest(p: ControlClient, ms: number, seq: { n: number }): Promise<{ median: number; samples: number[] }> {
  const samples: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    samples.push((await getStats(p, ++seq.n)).ingestBps);
    await new Promise((r) => setTimeout(r, 500)); // the sampling period of a measurement, not a wait
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, samples };
}

/** The node-wide rate from /metrics (all streams, all viewers' traffic in), for comparison. */
async function nodeWideBps(ms: number): Promise<number> {
  const a = await node.metric('tandem_bytes_received_total');
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms)); // the measurement window, not a wait
  const b = await node.metric('tandem_bytes_received_total');
  return ((b - a) * 8 * 1000) / (Date.now() - t0);
}

beforeAll(async () => {
  node = await startNode({ env: { TANDEM_CONTROL_TOKEN: token } });
});

afterAll(async () => {
  for (const c of open) c.close();
  for (const s of stops) await s();
  await node?.stop();
});

describe('getStats ingest bitrate', () => {
  it("follows the live stream's own bitrate, not other streams' or viewers'", async () => {
    const p = await openControl(node.base, { role: 'presenter', token });
    open.push(p);
    const seq = { n: 0 };
    publish(node.publishUrl('main'), 430); // ~500 kb/s with audio and container
    await waitFor(async () => {
      const s = await getStats(p, ++seq.n);
      return s.live && s.ingestBps > 0 ? s : null;
    }, 20_000, 'main live with an ingest bitrate', 500);
    // Part of the measurement: skip the encoder's start-up burst, which no condition marks the end of.
    await new Promise((r) => setTimeout(r, 2000));

    const alone = await medianIngest(p, 5000, seq);
    console.log(`[ingest] main alone: median ${Math.round(alone.median / 1000)} kb/s, samples ${alone.samples.map((b) => Math.round(b / 1000)).join(' ')}`);
    expect(alone.median).toBeGreaterThan(300_000);
    expect(alone.median).toBeLessThan(900_000);

    // An unrelated stream at three times the bitrate, and viewers pulling main.
    publish(node.publishUrl('other'), 1500);
    const viewers = [0, 1, 2].map(() => {
      const v = http.get(`${node.base}/live/main.flv`, (res) => res.resume());
      v.on('error', () => {});
      return v;
    });
    try {
      await waitFor(async () => ((await getStats(p, ++seq.n)).viewers === 3 ? true : null), 10_000, 'three viewers', 250);
      await waitFor(async () => (await node.metric('tandem_live_streams')) === 2, 20_000, 'the other stream live', 250);
      const wide = await nodeWideBps(3000);
      const busy = await medianIngest(p, 5000, seq);
      console.log(`[ingest] with another stream and 3 viewers: median ${Math.round(busy.median / 1000)} kb/s, samples ${busy.samples.map((b) => Math.round(b / 1000)).join(' ')}; node-wide bytes in ${Math.round(wide / 1000)} kb/s`);
      // The node as a whole receives much more (the old ingestBps), the stream itself did not change.
      expect(wide).toBeGreaterThan(1_500_000);
      expect(busy.median).toBeGreaterThan(300_000);
      expect(busy.median).toBeLessThan(900_000);
      expect(Math.abs(busy.median - alone.median)).toBeLessThan(200_000);
    } finally {
      for (const v of viewers) v.destroy();
    }
  });
});
