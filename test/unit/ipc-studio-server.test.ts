// Browser mode's door: the one-time token, the session cookie, Host/Origin checks, and the
// WebSocket that carries exactly the IPC contract (invokes as text, capture chunks as binary).
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../main/engine/base/logger.js';
import { tabProtocols } from '../../common/studio-tab.js';
import { IpcDispatcher } from '../../main/presenter/ipc-dispatch.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import { Presenter } from '../../main/presenter/presenter.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { StudioServer } from '../../main/browser/studio-server.js';
import { FakeConnection } from '../support/studio-fakes.js';

let server: StudioServer;
let host: Presenter;
let conn: FakeConnection;
let dir: string;

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.listenPort, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

/** The tab secret the last login handed over (in the redirect's fragment). */
let tab = '';

async function login(): Promise<string> {
  const token = new URL(server.url).searchParams.get('token')!;
  const res = await get(`/?token=${token}`);
  expect(res.status).toBe(303);
  tab = /^\/#tab=([A-Za-z0-9_-]{32,})$/.exec(String(res.headers.location))?.[1] ?? '';
  expect(tab).not.toBe('');
  const cookie = String(res.headers['set-cookie']?.[0] ?? '');
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  return cookie.split(';')[0]!;
}

function open(headers: Record<string, string>, protocols: string[] = tabProtocols(tab)): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.listenPort}/ipc`, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function invoke(ws: WebSocket, id: number, channel: string, args: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMsg = (d: WebSocket.RawData) => {
      const m = JSON.parse(String(d));
      if (m.t === 'result' && m.id === id) {
        ws.off('message', onMsg);
        resolve(m.result);
      }
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ t: 'invoke', id, channel, args }));
  });
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-studio-test-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live/k' });
  conn = new FakeConnection();
  host = new Presenter({ profile, createConnection: () => conn, slateImagePath: '/s.png', logger: silentLogger, mode: 'studio', version: 't' });
  server = await StudioServer.start({
    windows: host.windows,
    capture: host.capture,
    dispatcher: new IpcDispatcher(presenterHandlers(host), silentLogger),
    rendererDir: dir,
    logger: silentLogger,
    port: 0,
  });
});

afterEach(async () => {
  await server.close();
  await host.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('StudioServer', () => {
  it('listens on loopback only by default', () => {
    expect(server.origin).toBe(`http://127.0.0.1:${server.listenPort}`);
  });

  it('serves nothing without the token, and the token works once', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(403);
    const cookie = await login();
    expect(server.url).not.toContain('token=');
    const again = await get(`/?token=${'x'.repeat(32)}`);
    expect(again.status).toBe(403);
    const page = await get('/', { cookie });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await get('/../../etc/passwd', { cookie })).status).toBe(404);
  });

  it('answers malformed request targets with 400 and stays up (no login needed to send one)', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const sock = net.connect({ host: '127.0.0.1', port: server.listenPort }, () => sock.write(text));
        let out = '';
        sock.on('data', (d) => (out += d));
        sock.on('close', () => resolve(out));
        sock.on('error', () => resolve(out));
        setTimeout(() => sock.destroy(), 2000);
      });
    const upgrade = await raw('GET //h:x HTTP/1.1\r\nHost: evil\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    expect(upgrade).toMatch(/^HTTP\/1\.1 400/);
    const plain = await raw(`GET //h:x HTTP/1.1\r\nHost: 127.0.0.1:${server.listenPort}\r\nConnection: close\r\n\r\n`);
    expect(plain).toMatch(/^HTTP\/1\.1 400/);
    const cookie = await login();
    expect((await get('/%E0%A4%A', { cookie })).status).toBe(400); // a broken escape in a logged-in request
    expect((await get('/', { cookie })).status).toBe(200); // still serving
  });

  it('refuses requests for another Host name (DNS rebinding)', async () => {
    const cookie = await login();
    expect((await get('/', { cookie, host: `evil.example:${server.listenPort}` })).status).toBe(403);
  });

  it('opens the IPC socket only with the session cookie, the tab secret and our own Origin', async () => {
    const origin = `http://127.0.0.1:${server.listenPort}`;
    await expect(open({ origin })).rejects.toThrow(/403/);
    const cookie = await login();
    await expect(open({ cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(open({ cookie, origin }, [])).rejects.toThrow(/403/);
    await expect(open({ cookie, origin }, tabProtocols('x'.repeat(43)))).rejects.toThrow(/403/);
    const ws = await open({ cookie, origin });
    // The server answers with the IPC protocol, never echoing the secret.
    expect(ws.protocol).toBe('tandem.ipc');
    expect(await invoke(ws, 1, 'servers.list', {})).toMatchObject({ ok: true, value: [{ id: 'a', maskedKey: '••••' }] });
    expect(await invoke(ws, 2, 'servers.remove', { id: 7 })).toMatchObject({ ok: false, code: 'invalid-args' });
    expect(await invoke(ws, 3, 'engine.exec', {})).toMatchObject({ ok: false, code: 'unknown-channel' });
    ws.close();
  });

  it('carries events and capture chunks for the window on air, and falls back to the slate when it disconnects', async () => {
    const cookie = await login();
    const ws = await open({ cookie, origin: `http://127.0.0.1:${server.listenPort}` });
    const events: string[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.t === 'event') events.push(`${m.channel}:${m.payload.state ?? ''}`);
    });
    expect(await invoke(ws, 1, 'live.start', { source: { kind: 'capture', mimeType: 'video/webm' } })).toMatchObject({ ok: true, value: { live: true } });
    ws.send(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
    const deadline = Date.now() + 2000;
    while (conn.chunks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect([...conn.chunks[0]!]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
    expect(events).toContain('session:live');
    ws.close();
    while (host.views.view(null).onAir !== 'slate' && Date.now() < deadline + 2000) await new Promise((r) => setTimeout(r, 10));
    expect(host.views.view(null).onAir).toBe('slate');
  });
});
