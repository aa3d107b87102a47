// Closing `tandem studio` while live: new windows are refused, the presenter ends the session while
// the windows are still connected (they see it stop), and only then do their sockets close. Closing
// the sockets first made the capture window's disconnect put the slate on air mid-shutdown and sent
// the presenter's final state to nobody.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tabProtocols } from '../../common/studio-tab.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { type StudioApp, startStudioApp } from '../../main/browser/studio-app.js';
import { FakeConnection } from '../support/studio-fakes.js';

const dirs: string[] = [];
let app: StudioApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-studio-close-'));
  dirs.push(d);
  return d;
}

/** The session cookie and the tab secret (from the redirect's `#tab=`) the one-time link gives. */
function login(port: number, token: string): Promise<{ cookie: string; tab: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: `/?token=${token}` }, (res) => {
        res.resume();
        resolve({ cookie: String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!, tab: String(res.headers.location).split('#tab=')[1] ?? '' });
      })
      .on('error', reject);
  });
}

function open(port: number, { cookie, tab }: { cookie: string; tab: string }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ipc`, tabProtocols(tab), { headers: { cookie, origin: `http://127.0.0.1:${port}` } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('studio shutdown', () => {
  it('ends the live session while windows are connected, then closes their sockets', async () => {
    const renderer = tmp();
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    const conn = new FakeConnection();
    app = await startStudioApp({ dataDir: tmp(), rendererDir: renderer, logger: silentLogger, port: 0, createConnection: () => conn });
    await app.profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live/k' });
    const port = app.server.listenPort;
    const session = await login(port, new URL(app.server.url).searchParams.get('token')!);
    const ws = await open(port, session);
    const seen: string[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.t === 'event' && m.channel === 'session') seen.push(`session:${m.payload.state}`);
      if (m.t === 'result') seen.push(`result:${m.result.ok}`);
    });
    const closed = new Promise<number>((resolve) =>
      ws.once('close', (code) => {
        seen.push(`closed:${code}:engine-stopped=${conn.stopped}`);
        resolve(code);
      }),
    );
    ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'live.start', args: { source: { kind: 'capture', mimeType: 'video/webm' } } }));
    const deadline = Date.now() + 3000;
    while (!seen.includes('result:true') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(app.presenter.views.view(null).state).toBe('live');

    const closing = app.close();
    await expect(open(port, session)).rejects.toThrow(); // no new window while closing
    await closing;
    expect(await closed).toBe(1001);
    // The window heard the session stop and end before its socket closed, and the engine was stopped by then.
    const end = seen.slice(seen.indexOf('session:stopping'));
    expect(end).toEqual(['session:stopping', 'session:idle', 'closed:1001:engine-stopped=1']);
    // The capture window leaving during shutdown did not put the slate on air.
    expect(conn.sources.map((s) => s.kind)).toEqual(['chunks']);
  });
});
