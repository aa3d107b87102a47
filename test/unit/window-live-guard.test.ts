// While live: a power-save blocker is held, closing asks first, a renderer crash puts the slate on
// air and opens a new window (bounded), and a second launch focuses the first window.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { Presenter } from '../../main/presenter/presenter.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { confirmCloseWhileLive, keepAwakeWhileLive } from '../../main/live-guard.js';
import { CrashRecovery } from '../../main/crash-recovery.js';
import { attachWindow } from '../../main/ipc-main.js';
import { ensureSingleInstance } from '../../main/single-instance.js';
import { FakeConnection } from '../support/studio-fakes.js';
import { FakeContents, FakeWindow } from '../support/studio-electron-fakes.js';

async function liveHost() {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://h/live/k' });
  const conn = new FakeConnection();
  const host = new Presenter({ profile, createConnection: () => conn, slateImagePath: '/slate.png', logger: silentLogger, mode: 'electron', version: 't', createStatsPoller: () => ({ start() {}, sample: () => ({ receivedBps: null, viewers: null }), dispose() {} }) });
  return { host, conn };
}

describe('live guard', () => {
  it('holds a power-save blocker exactly while live', async () => {
    const { host } = await liveHost();
    const started = new Set<number>();
    let next = 1;
    const blocker = { start: () => (started.add(next), next++), stop: (id: number) => started.delete(id), isStarted: (id: number) => started.has(id) };
    keepAwakeWhileLive(host.session, blocker);
    expect(started.size).toBe(0);
    await host.session.start({ kind: 'test-pattern' }, false, 'w');
    expect(started.size).toBe(1);
    await host.session.stop('test');
    expect(started.size).toBe(0);
  });

  it('asks before closing while live, and stops the webcast when confirmed', async () => {
    const { host, conn } = await liveHost();
    const win = new FakeWindow({});
    const answers = [0, 1];
    const asked: string[] = [];
    confirmCloseWhileLive(win as never, host.session, { showMessageBox: (async (_w: unknown, o: { message: string }) => (asked.push(o.message), { response: answers.shift()!, checkboxChecked: false })) as never }, (err) => {
      throw err;
    });
    expect(win.fire('close').defaultPrevented).toBe(false); // idle: closes freely
    await host.session.start({ kind: 'test-pattern' }, false, 'w');
    expect(win.fire('close').defaultPrevented).toBe(true);
    await expect.poll(() => asked, { timeout: 2000 }).toEqual(['Stop the webcast and close?']);
    // The question settles within a few promise steps; only then does the next close ask again.
    await new Promise((r) => setImmediate(r));
    expect(host.session.isLive).toBe(true); // "Keep streaming"
    expect(win.destroyed).toBe(false);
    expect(win.fire('close').defaultPrevented).toBe(true);
    await expect.poll(() => win.destroyed, { timeout: 2000 }).toBe(true);
    expect(host.session.isLive).toBe(false);
    expect(conn.stopped).toBe(1);
    expect(win.destroyed).toBe(true);
  });

  it('reports a stop that fails and keeps the window, without an unhandled rejection', async () => {
    const win = new FakeWindow({});
    const errors: unknown[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      const session = { isLive: true, stop: async () => Promise.reject(new Error('engine stuck')) };
      confirmCloseWhileLive(win as never, session, { showMessageBox: (async () => ({ response: 1, checkboxChecked: false })) as never }, (err) => errors.push(err));
      expect(win.fire('close').defaultPrevented).toBe(true);
      await expect.poll(() => errors.length, { timeout: 2000 }).toBe(1);
      await new Promise((r) => setImmediate(r));
      expect(errors.map((e) => (e as Error).message)).toEqual(['engine stuck']);
      expect(unhandled).toEqual([]);
      expect(win.destroyed).toBe(false);
      // It asks again on the next close.
      expect(win.fire('close').defaultPrevented).toBe(true);
      await expect.poll(() => errors.length, { timeout: 2000 }).toBe(2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('renderer crash while live', () => {
  it('puts the slate on air when the window’s renderer dies, then a new window re-attaches', async () => {
    const { host, conn } = await liveHost();
    const first = new FakeContents(1);
    attachWindow(host.windows, first as never);
    await host.session.start({ kind: 'capture', mimeType: 'video/webm' }, false, 'window-1');
    expect(first.sent.some((a) => a[0] === 'tandem:event' && a[1] === 'session')).toBe(true);
    let reopened = 0;
    const recovery = new CrashRecovery(() => reopened++, () => undefined);
    first.fire('render-process-gone', { reason: 'crashed', exitCode: 139 });
    recovery.handle({ reason: 'crashed', exitCode: 139 }, () => (first.destroyed = true));
    await expect.poll(() => conn.sources.at(-1), { timeout: 2000 }).toEqual({ kind: 'slate', imagePath: '/slate.png' });
    expect(reopened).toBe(1);
    const second = new FakeContents(2);
    attachWindow(host.windows, second as never);
    await host.capture.attach('window-2', 'video/x-matroska;codecs=avc1,opus');
    expect(host.views.view('window-2')).toMatchObject({ onAir: 'capture', captureOwner: true });
    await host.shutdown();
  });

  it('stops reopening after repeated crashes, and ignores clean exits', () => {
    let t = 0;
    let reopened = 0;
    let gaveUp = 0;
    const r = new CrashRecovery(() => reopened++, () => gaveUp++, { maxRestarts: 3, windowMs: 60_000, now: () => t });
    expect(r.handle({ reason: 'clean-exit', exitCode: 0 }, () => undefined)).toBe(false);
    for (let i = 0; i < 4; i++) {
      t += 1000;
      r.handle({ reason: 'crashed', exitCode: 1 }, () => undefined);
    }
    expect([reopened, gaveUp]).toEqual([3, 1]);
    t += 120_000;
    expect(r.handle({ reason: 'oom', exitCode: 1 }, () => undefined)).toBe(true);
  });
});

describe('single instance', () => {
  it('quits a second launch, and focuses the first window when one happens', () => {
    const handlers = new Map<string, () => void>();
    const calls: string[] = [];
    const app = (lock: boolean) => ({
      requestSingleInstanceLock: () => lock,
      quit: () => calls.push('quit'),
      on: ((name: string, fn: () => void) => handlers.set(name, fn)) as never,
    });
    expect(ensureSingleInstance(app(false), () => null)).toBe(false);
    expect(calls).toEqual(['quit']);
    const win = { isMinimized: () => true, restore: () => calls.push('restore'), show: () => calls.push('show'), focus: () => calls.push('focus') };
    expect(ensureSingleInstance(app(true), () => win)).toBe(true);
    handlers.get('second-instance')!();
    expect(calls).toEqual(['quit', 'restore', 'show', 'focus']);
  });
});
