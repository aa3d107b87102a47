// One browser window's socket: a window that stops answering pings (a frozen tab) is dropped and
// lets go of the capture, so the slate goes on air, while a window that answers stays; a text frame
// that is not JSON closes the socket (1003), and a message outside the contract is answered in words.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { silentLogger } from '../../main/engine/base/logger.js';
import { serveStudioSocket } from '../../main/browser/studio-socket.js';
import { IpcDispatcher } from '../../main/presenter/ipc-dispatch.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import type { Presenter } from '../../main/presenter/presenter.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { fakePresenter } from '../support/studio-fakes.js';

let wss: WebSocketServer | null = null;
let presenter: Presenter | null = null;
afterEach(async () => {
  await presenter?.shutdown();
  for (const c of wss?.clients ?? []) c.terminate();
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
  wss = null;
  presenter = null;
});

async function serve(heartbeatMs: number) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live/k' });
  const made = fakePresenter(profile);
  presenter = made.presenter;
  const p = made.presenter;
  const dispatcher = new IpcDispatcher(presenterHandlers(p), silentLogger);
  let next = 1;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss!.once('listening', () => r()));
  wss.on('connection', (ws) => serveStudioSocket(ws, `w${next++}`, { windows: p.windows, capture: p.capture, dispatcher, logger: silentLogger, heartbeatMs }));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const open = (autoPong: boolean) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { autoPong });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  return { p, conn: () => made.conns[0]!, open };
}

function reply(ws: WebSocket, id: number): Promise<{ ok: boolean; code?: string; message?: string }> {
  return new Promise((resolve) => {
    const on = (d: WebSocket.RawData) => {
      const m = JSON.parse(String(d));
      if (m.t === 'result' && m.id === id) {
        ws.off('message', on);
        resolve(m.result);
      }
    };
    ws.on('message', on);
  });
}

describe('studio socket', () => {
  it('drops a window that stops answering pings, putting the slate on air; a window that answers stays', async () => {
    // Pinged every 100 ms: the frozen one is dropped after three silent rounds, the other answers each.
    const { p, conn, open } = await serve(100);
    const frozen = await open(false);
    const healthy = await open(true);
    const started = reply(frozen, 1);
    frozen.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'live.start', args: { source: { kind: 'capture', mimeType: 'video/webm' } } }));
    expect(await started).toMatchObject({ ok: true });
    expect(p.capture.isOwner('w1')).toBe(true);
    const closed = new Promise<void>((r) => frozen.once('close', () => r()));
    await closed;
    await expect.poll(() => conn().sources.at(-1), { timeout: 5000 }).toEqual({ kind: 'slate', imagePath: '/s.png' });
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    expect(p.windows.has('w2')).toBe(true);
    expect(p.windows.has('w1')).toBe(false);
    healthy.close();
  });

  it('closes on a text frame that is not JSON, and answers a message outside the contract in words', async () => {
    const { open } = await serve(5000);
    const ws = await open(true);
    const answered = reply(ws, 7);
    ws.send(JSON.stringify({ t: 'invoke', id: 7, channel: 'live.start', extra: 1 }));
    expect(await answered).toMatchObject({ ok: false, code: 'invalid-args', message: 'This message is not part of the contract' });
    const code = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    ws.send('not json');
    expect(await code).toBe(1003);
  });
});
