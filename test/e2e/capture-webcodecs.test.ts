// The camera path's WebCodecs recorder (issue #12) in Debian's Chromium: it writes the live
// Matroska the engine takes (H.264 + Opus, audio and video on one timeline), and a new video bitrate
// takes effect while it runs, with no restart and no cut.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../main/engine/ffmpeg/find-ffmpeg.js';
import { launchChromium, waitPage, type Browser } from '../support/node-browser.js';
import { freePort } from '../support/ports.js';

const run = promisify(execFile);
let dir: string;
let server: http.Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-webcodecs-'));
  // A camera with detail that costs bits (a test pattern with grain), so the encoder's rate shows.
  const camera = path.join(dir, 'camera.y4m');
  await run(findFfmpeg(), ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=30,noise=alls=10:allf=t', '-t', '2', '-pix_fmt', 'yuv420p', camera]);
  const bundle = await build({ entryPoints: ['test/e2e/capture-webcodecs.page.ts'], bundle: true, format: 'esm', write: false, logLevel: 'warning' });
  const js = bundle.outputFiles[0]!.contents;
  server = http.createServer((req, res) => {
    if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/page.js"></script>');
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${port}/`;
  browser = await launchChromium([`--use-file-for-fake-video-capture=${camera}`]);
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Packet {
  pts: number;
  size: number;
}

async function packets(file: string, stream: 'v' | 'a'): Promise<Packet[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts_time,size', '-of', 'csv=p=0', file]);
  return stdout.trim().split('\n').map((l) => {
    const [pts, size] = l.split(',');
    return { pts: Number(pts), size: Number(size) };
  });
}

function kbps(list: Packet[], from: number, to: number): number {
  const bytes = list.filter((p) => p.pts >= from && p.pts < to).reduce((n, p) => n + p.size, 0);
  return (bytes * 8) / 1000 / (to - from);
}

describe('WebCodecs capture recorder', () => {
  it('records H.264 + Opus live Matroska and bends its video bitrate without a restart', async () => {
    const page = await browser.context.newPage();
    await page.goto(base);
    await waitPage(page, `typeof window.rec === 'object'`, 10_000, 'the page loaded');
    expect(await page.evaluate('rec.supported()')).toBe(true);
    await page.evaluate('rec.start(1500000)');
    await page.waitForTimeout(5000);
    await page.evaluate('rec.setVideoBitrate(250000)');
    await page.waitForTimeout(5000);
    await page.evaluate('rec.stop()');
    expect(await page.evaluate('rec.errors()')).toEqual([]);
    const file = path.join(dir, 'capture.mkv');
    fs.writeFileSync(file, Buffer.from((await page.evaluate('rec.file()')) as string, 'base64'));

    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file]);
    expect(stdout.trim().split('\n').sort()).toEqual(['h264', 'opus']);
    const video = await packets(file, 'v');
    const audio = await packets(file, 'a');
    // One timeline: both tracks start together and end together.
    expect(Math.abs(video[0]!.pts - audio[0]!.pts)).toBeLessThan(0.5);
    expect(Math.abs(video.at(-1)!.pts - audio.at(-1)!.pts)).toBeLessThan(0.5);
    // No cut: frames keep coming across the change (no gap over half a second in the video).
    const gaps = video.slice(1).map((p, i) => p.pts - video[i]!.pts);
    expect(Math.max(...gaps)).toBeLessThan(0.5);
    // The new rate took: the video after the change costs well under half of what it did before.
    const before = kbps(video, 1, 5);
    const after = kbps(video, 6.5, 9.5);
    expect(before).toBeGreaterThan(600);
    expect(after).toBeLessThan(before * 0.5);
    // And the file decodes cleanly, from start to end.
    const decode = await run(findFfmpeg(), ['-v', 'error', '-i', file, '-f', 'null', '-']);
    expect(decode.stderr.split('\n').filter((l) => l.trim() && !/non monotonically increasing dts/.test(l))).toEqual([]);
  });
});
