// The Q&A, shared-object and cue channels: payloads are refused at the dispatcher unless they match
// the contract; valid calls are delegated to the engine's control plane (a fake with the real merge
// and moderation rules), and server configs reach the engine with their control URL and token while
// the renderer only ever sees `hasToken`.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { IpcDispatcher } from '../../main/presenter/ipc-dispatch.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { QA_NO_CONTROL, QA_NOT_LIVE } from '../../main/presenter/presenter-text.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { RecordingClient, fakePresenter } from '../support/studio-fakes.js';

const TOKEN = 'presenter-token-0123456789abcdef';
const ctx = { clientId: 'w1' };
const Q1 = 'q-aaaaaaaaaaaa';
const Q2 = 'q-bbbbbbbbbbbb';

async function setup(withControl = true) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'n1', url: 'rtmp://127.0.0.1:1/live/main', ...(withControl ? { controlUrl: 'http://127.0.0.1:8080', token: TOKEN } : {}) });
  await profile.save({ id: 'nginx', url: 'rtmp://127.0.0.1:2/live', streamKey: 'k' });
  const { presenter: host, conns } = fakePresenter(profile, { now: () => Date.UTC(2026, 10, 24, 22, 15) });
  const w = new RecordingClient('w1');
  host.windows.attach(w);
  return { host, conns, w, d: new IpcDispatcher(presenterHandlers(host), silentLogger) };
}

const goLive = (d: IpcDispatcher) => d.dispatch('live.start', { source: { kind: 'test-pattern' } }, ctx);

describe('Q&A, shared-object and cue channels', () => {
  it('refuse payloads that do not match the contract, saying where', async () => {
    const { d, host } = await setup();
    await goLive(d);
    const bad: Array<[string, unknown, string]> = [
      ['qa.moderate', { id: Q1, action: 'delete' }, 'action'],
      ['qa.moderate', { id: 'short', action: 'pin' }, 'id'],
      ['qa.moderate', { id: '<script>x</script>', action: 'pin' }, 'id'],
      ['qa.moderate', { id: Q1, action: 'pin', extra: 1 }, ''],
      ['qa.setPremoderation', { on: 'yes' }, 'on'],
      ['qa.export', { format: 'xml' }, 'format'],
      ['so.set', { object: '../etc', slot: 'title', value: 'x' }, 'object'],
      ['so.set', { object: 'banner', slot: 'a b', value: 'x' }, 'slot'],
      ['so.set', { object: 'banner', slot: 'title', value: { html: '<b>' } }, 'value'],
      ['so.set', { object: 'banner', slot: 'title', value: 'x'.repeat(501) }, 'value'],
      ['so.set', { object: 'banner', slot: 'title' }, 'value'],
      ['cue.send', { name: 'slide change', payload: {} }, 'name'],
      ['cue.send', { name: 'slide', payload: { t: 'x'.repeat(5000) } }, 'payload'],
      ['cue.send', { name: 'slide', payload: () => 1 }, 'payload'],
    ];
    for (const [ch, args, field] of bad) {
      const r = await d.dispatch(ch, args, ctx);
      expect(r, `${ch} ${JSON.stringify(args)}`).toMatchObject({ ok: false, code: 'invalid-args' });
      if (!r.ok && field) expect(r.issues?.[0]?.path[0], `${ch} ${JSON.stringify(args)}`).toBe(field);
    }
    // Nothing reached the control plane.
    expect(host.qa.view().questions).toEqual([]);
    await host.shutdown();
  });

  it('give the engine the control URL (ws) and token, and never return the token', async () => {
    const { d, conns, host } = await setup();
    await goLive(d);
    expect(conns[0]!.servers).toEqual([
      { id: 'n1', url: 'rtmp://127.0.0.1:1/live/main', label: 'rtmp://127.0.0.1:1/live', controlUrl: 'ws://127.0.0.1:8080/control', controlToken: TOKEN },
      { id: 'nginx', url: 'rtmp://127.0.0.1:2/live/k', label: 'rtmp://127.0.0.1:2/live' },
    ]);
    const list = await d.dispatch('servers.list', {}, ctx);
    expect(JSON.stringify(list)).not.toContain(TOKEN);
    expect(list).toMatchObject({ ok: true, value: [{ id: 'n1', controlUrl: 'http://127.0.0.1:8080', hasToken: true }, { id: 'nginx', hasToken: false }] });
    // A token the engine would refuse is refused in the form already.
    expect(await d.dispatch('servers.save', { id: 'x', url: 'rtmp://h/live', token: 'short' }, ctx)).toMatchObject({ ok: false, code: 'invalid-args' });
    await host.shutdown();
  });

  it('say why Q&A is not available: not live, or no server with a control session', async () => {
    const { d, host } = await setup(false);
    expect(await d.dispatch('qa.get', {}, ctx)).toMatchObject({ ok: true, value: { available: false, message: QA_NOT_LIVE } });
    expect(await d.dispatch('qa.moderate', { id: Q1, action: 'pin' }, ctx)).toMatchObject({ ok: false, code: 'invalid-state' });
    await goLive(d);
    expect(await d.dispatch('qa.get', {}, ctx)).toMatchObject({ ok: true, value: { available: false, message: QA_NO_CONTROL } });
    const r = await d.dispatch('so.set', { object: 'banner', slot: 'title', value: 'Hi' }, ctx);
    expect(r).toMatchObject({ ok: false, code: 'invalid-state' });
    if (!r.ok) expect(r.message).toMatch(/control session/);
    await host.shutdown();
  });

  it('delegate moderation, pre-moderation, export, shared objects and cues to the control plane', async () => {
    const { d, conns, w, host } = await setup();
    // Pre-moderation set before going live applies to the session's control plane.
    expect(await d.dispatch('qa.setPremoderation', { on: true }, ctx)).toMatchObject({ ok: true, value: { preModeration: true, available: false } });
    await goLive(d);
    const control = conns[0]!.control;
    expect(control.qaState.preModeration).toBe(true);
    control.ask('n1', { id: Q1, text: '<img src=x onerror=alert(1)> why?', name: 'Ann', votes: 2, askedAt: 10 });
    // Pushed to windows as a `qa` event (coalesced).
    await expect.poll(() => w.last('qa')?.questions.length, { timeout: 2000 }).toBe(1);
    expect(w.last('qa')).toMatchObject({ available: true, preModeration: true, questions: [{ id: Q1, text: '<img src=x onerror=alert(1)> why?', author: 'Ann', votes: 2, status: 'pending', pinned: false, servers: ['n1'] }] });

    expect(await d.dispatch('qa.moderate', { id: Q1, action: 'approve' }, ctx)).toMatchObject({ ok: true, value: { questions: [{ status: 'approved' }] } });
    expect(await d.dispatch('qa.moderate', { id: Q1, action: 'pin' }, ctx)).toMatchObject({ ok: true, value: { questions: [{ pinned: true }] } });
    expect(control.qaState.pinnedId).toBe(Q1);
    expect(w.last('qa')?.questions[0]?.pinned).toBe(true);
    expect(await d.dispatch('qa.moderate', { id: Q1, action: 'unpin' }, ctx)).toMatchObject({ ok: true, value: { questions: [{ pinned: false }] } });
    expect(await d.dispatch('qa.moderate', { id: Q1, action: 'answered' }, ctx)).toMatchObject({ ok: true, value: { questions: [{ status: 'answered' }] } });
    await d.dispatch('qa.setPremoderation', { on: false }, ctx);
    control.ask('n1', { id: Q2, text: 'second', askedAt: 20 });
    expect(await d.dispatch('qa.moderate', { id: Q2, action: 'dismiss' }, ctx)).toMatchObject({ ok: true, value: { preModeration: false, questions: [{ id: Q1 }, { id: Q2, status: 'dismissed' }] } });
    expect(control.moderations.map((m) => m.action)).toEqual(['pre-moderation', 'approve', 'pin', 'pin', 'answer', 'pre-moderation', 'dismiss']);

    const csv = await d.dispatch('qa.export', { format: 'csv' }, ctx);
    expect(csv).toMatchObject({ ok: true, value: { format: 'csv', filename: 'questions-2026-11-24T22-15.csv', mimeType: 'text/csv' } });
    if (csv.ok) expect((csv.value as { text: string }).text.split('\r\n')[1]).toContain('answered');
    const json = await d.dispatch('qa.export', { format: 'json' }, ctx);
    if (!json.ok) throw new Error(json.message);
    expect(JSON.parse((json.value as { text: string }).text).questions.map((q: { id: string }) => q.id)).toEqual([Q1, Q2]);

    expect(await d.dispatch('so.set', { object: 'banner', slot: 'title', value: 'Welcome' }, ctx)).toEqual({ ok: true, value: { object: 'banner', slot: 'title', changed: true } });
    expect(await d.dispatch('so.set', { object: 'banner', slot: 'title', value: 'Welcome' }, ctx)).toEqual({ ok: true, value: { object: 'banner', slot: 'title', changed: false } });
    expect(control.so('banner', 'title')).toBe('Welcome');
    // Every window learns what viewers are shown now.
    expect(w.last('qa')).toMatchObject({ banner: 'Welcome', slideTitle: '' });
    // The control plane refuses an object the nodes could not take in one message; the app says so.
    let tooLarge: Awaited<ReturnType<IpcDispatcher['dispatch']>> | null = null;
    for (let i = 0; i < 200 && !tooLarge; i++) {
      const r = await d.dispatch('so.set', { object: 'notes', slot: `s${i}`, value: 'x'.repeat(500) }, ctx);
      if (!r.ok) tooLarge = r;
    }
    expect(tooLarge).toMatchObject({ ok: false, code: 'invalid-args' });
    expect(tooLarge && !tooLarge.ok && tooLarge.message).toMatch(/too large/);
    expect(await d.dispatch('cue.send', { name: 'slide', payload: { title: 'Results' } }, ctx)).toEqual({ ok: true, value: { id: 'cue-1', streamTimeMs: 1234 } });
    expect(control.cues).toEqual([{ id: 'cue-1', streamTimeMs: 1234, kind: 'slide', data: { title: 'Results' } }]);

    // Control status changes reach the windows as a session update.
    const before = w.events.filter((e) => e.event === 'session').length;
    control.status('n1', { state: 'reconnecting', message: 'reconnecting to n1' });
    expect(w.events.filter((e) => e.event === 'session').length).toBe(before + 1);

    // After Stop the questions stay exportable, but moderation is refused.
    await d.dispatch('live.stop', {}, ctx);
    expect(w.last('qa')).toMatchObject({ available: false, questions: [{ id: Q1 }, { id: Q2 }] });
    expect(await d.dispatch('qa.export', { format: 'csv' }, ctx)).toMatchObject({ ok: true });
    expect(await d.dispatch('qa.moderate', { id: Q1, action: 'pin' }, ctx)).toMatchObject({ ok: false, code: 'invalid-state' });
    expect(await d.dispatch('cue.send', { name: 'slide', payload: 'x' }, ctx)).toMatchObject({ ok: false, code: 'invalid-state' });
    await host.shutdown();
  });

  it('offers the last webcast’s questions, set aside by a fresh Go Live, for export while live', async () => {
    const { d, host, conns } = await setup();
    await goLive(d);
    expect(host.qa.view().previousExportable).toBe(false);
    expect(await d.dispatch('qa.export', { format: 'csv', webcast: 'previous' }, ctx)).toMatchObject({ ok: false, code: 'invalid-state' });
    conns[0]!.control.previousExport = 'id,text\nq-1,From the last webcast\n';
    expect(host.qa.view().previousExportable).toBe(true);
    const r = await d.dispatch('qa.export', { format: 'csv', webcast: 'previous' }, ctx);
    expect(r).toMatchObject({ ok: true, value: { format: 'csv', filename: 'questions-previous-webcast-2026-11-24T22-15.csv', text: 'id,text\nq-1,From the last webcast\n' } });
    // The current webcast's export is unchanged.
    expect(await d.dispatch('qa.export', { format: 'csv' }, ctx)).toMatchObject({ ok: true, value: { filename: 'questions-2026-11-24T22-15.csv' } });
    await host.shutdown();
  });
});
