// The ipc-main wrapper checks every sender before anything else: only the app's own page in its
// top frame is heard; capture chunks are parsed before they reach the engine.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { IpcDispatcher } from '../../main/presenter/ipc-dispatch.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import { Presenter } from '../../main/presenter/presenter.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { isTrustedSender, registerIpc } from '../../main/ipc-main.js';
import { ELECTRON_CHUNK, ELECTRON_INVOKE } from '../../common/ipc-contract.js';
import { FakeConnection } from '../support/studio-fakes.js';
import { FakeIpcMain } from '../support/studio-electron-fakes.js';

async function setup() {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://h/live/SECRET' });
  const conn = new FakeConnection();
  const host = new Presenter({ profile, createConnection: () => conn, slateImagePath: '/s.png', logger: silentLogger, mode: 'electron', version: 't', createStatsPoller: () => ({ start() {}, sample: () => ({ receivedBps: null, viewers: null }), dispose() {} }) });
  const ipc = new FakeIpcMain();
  const reg = registerIpc(ipc as never, new IpcDispatcher(presenterHandlers(host), silentLogger), host.capture, silentLogger);
  return { host, conn, ipc, reg };
}

function sender(url: string, sub = false) {
  const mainFrame = { url };
  const frame = sub ? { url } : mainFrame;
  return { sender: { id: 7, mainFrame }, senderFrame: frame };
}

describe('ipc-main wrapper', () => {
  it('trusts only the app page’s main frame', () => {
    expect(isTrustedSender(sender('app://tandem/index.html') as never)).toBe(true);
    expect(isTrustedSender(sender('app://tandem/index.html', true) as never)).toBe(false);
    expect(isTrustedSender(sender('https://evil.example/') as never)).toBe(false);
    expect(isTrustedSender({ sender: { id: 1, mainFrame: null }, senderFrame: null } as never)).toBe(false);
  });

  it('answers the app page and refuses foreign frames', async () => {
    const { ipc, host } = await setup();
    const invoke = ipc.handlers.get(ELECTRON_INVOKE)!;
    const ok = (await invoke(sender('app://tandem/index.html'), 'servers.list', {})) as { ok: boolean; value: unknown };
    expect(ok.ok).toBe(true);
    expect(JSON.stringify(ok)).not.toContain('SECRET');
    expect(await invoke(sender('https://evil.example/'), 'servers.list', {})).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await invoke(sender('app://tandem/index.html'), 'servers.save', { id: 'x', url: 'javascript:1' })).toMatchObject({ ok: false, code: 'invalid-args' });
    await host.shutdown();
  });

  it('passes valid chunks from the window on air and drops the rest', async () => {
    const { ipc, host, conn, reg } = await setup();
    host.windows.attach({ id: 'window-7', send: () => undefined });
    await host.session.start({ kind: 'capture', mimeType: 'video/webm' }, false, 'window-7');
    const chunk = ipc.listeners.get(ELECTRON_CHUNK)!;
    chunk(sender('app://tandem/index.html'), new Uint8Array([1, 2, 3]));
    chunk(sender('app://tandem/index.html'), 'not bytes');
    chunk(sender('app://tandem/index.html'), new Uint8Array(0));
    chunk(sender('https://evil.example/'), new Uint8Array([9]));
    expect(conn.chunks.map((c) => [...c])).toEqual([[1, 2, 3]]);
    reg.dispose();
    expect(ipc.handlers.size + ipc.listeners.size).toBe(0);
    await host.shutdown();
  });
});
