// A cluster profile imported in the UI sets the servers and the brand (name, colours, logo); with
// "Show the logo in the stream" on, the frames a server receives carry that logo in the top-right
// corner. Go Live by keyboard shortcut.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginxRtmp, type NginxRtmpHandle } from '../support/nginx-rtmp-fixture.js';
import { launchChromium, type Browser } from '../support/node-browser.js';
import { waitFor } from '../support/node-process.js';
import { REPO } from '../support/node-process.js';
import { startStudio, type StudioProcess } from '../support/studio-process.js';
import { sharedRendererDir } from '../support/renderer-build.js';

let rendererDir: string;
let studio: StudioProcess;
let browser: Browser;
let nginx: NginxRtmpHandle;

beforeAll(async () => {
  rendererDir = await sharedRendererDir();
  nginx = await startNginxRtmp();
  studio = await startStudio({ rendererDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await nginx?.stop();
});

/** Average RGB of a region (fractions of the frame) of one decoded frame of a live stream. */
function regionColour(url: string, region: { x: number; y: number; w: number; h: number }): Promise<[number, number, number]> {
  return new Promise((resolve, reject) => {
    const crop = `crop=iw*${region.w}:ih*${region.h}:iw*${region.x}:ih*${region.y},scale=1:1:flags=area`;
    const p = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-i', url, '-frames:v', '1', '-vf', crop, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.on('close', () => {
      clearTimeout(t);
      const b = Buffer.concat(out);
      if (b.length < 3) reject(new Error(`no frame decoded: ${err}`));
      else resolve([b[0]!, b[1]!, b[2]!]);
    });
  });
}

describe('cluster profile and logo overlay', () => {
  it('imports a cluster profile (servers, brand) in the UI and draws its logo into the streamed video', async () => {
    const page = await browser.context.newPage();
    await page.goto(studio.url);
    await page.waitForSelector('[data-testid="brand-name"]');
    const logoSvg = fs.readFileSync(path.join(REPO, 'assets', 'brand', 'logo.svg')).toString('base64');
    const profile = {
      version: 1,
      name: 'Acme all-hands',
      servers: [{ id: 'edge', label: 'Edge', url: nginx.url('live'), streamKey: 'branded' }],
      brand: { name: 'Acme', tagline: 'Town hall', logo: `data:image/svg+xml;base64,${logoSvg}`, colors: { accent: '#ff6600' } },
      viewerUrls: ['https://watch.acme.example/'],
    };
    await page.setInputFiles('[data-testid="profile-file"]', { name: 'acme.json', mimeType: 'application/json', buffer: Buffer.from('{ not json') });
    await page.waitForSelector('.import .note.error >> text=not a cluster profile');
    await page.setInputFiles('[data-testid="profile-file"]', { name: 'acme.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(profile)) });
    await page.waitForSelector('[data-testid="server-edge"]');
    expect(await page.textContent('[data-testid="brand-name"]')).toBe('Acme');
    expect(await page.textContent('.profile-name')).toBe('Acme all-hands');
    expect(await page.evaluate(`getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()`)).toBe('#ff6600');
    expect(await page.getAttribute('.logo', 'src')).toMatch(/^data:image\/svg\+xml;base64,/);
    // Polled from here: Playwright's waitForFunction polls with eval, which the app's CSP forbids.
    await waitFor(async () => Number(await page.evaluate(`document.querySelector('[data-testid="preview"]')?.readyState ?? 0`)) >= 2, 20_000, 'camera preview playing');
    await waitFor(async () => !(await page.isDisabled('[data-testid="logo-overlay"]')), 10_000, 'overlay available');
    await page.check('[data-testid="logo-overlay"]');
    await page.keyboard.press('Control+Shift+L');
    await waitFor(async () => (await page.getAttribute('[data-testid="tile-edge"]', 'data-state').catch(() => null)) === 'live', 45_000, 'live', 250);
    const url = nginx.url('live', 'branded');
    // The logo tile sits 14% of the height wide, top right; sample its middle, and the frame's middle-left.
    const logo = await regionColour(url, { x: 0.915, y: 0.07, w: 0.05, h: 0.08 });
    const camera = await regionColour(url, { x: 0.05, y: 0.45, w: 0.1, h: 0.1 });
    // The fake camera is pure green; the logo (dark tile, white and amber strokes) brings red and blue.
    expect(camera[1], `camera ${camera}`).toBeGreaterThan(camera[0] + 60);
    expect(logo[0], `logo ${logo} vs camera ${camera}`).toBeGreaterThan(camera[0] + 50);
    expect(logo[2], `logo ${logo} vs camera ${camera}`).toBeGreaterThan(camera[2] + 40);
  });
});
