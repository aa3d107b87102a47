// The live session's server changes while live, on a fake engine: a saved new server joins, a
// removed one leaves, an edited key applies to that server only; Retry reaches the engine; Test
// servers checks without going live; the countdown holds the first frame and a stop during it ends
// the start; and Stop clears the last results.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { LiveSession } from '../../main/presenter/live-session.js';
import { TileStats } from '../../main/presenter/tile-stats.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { STOPPED_BEFORE_LIVE } from '../../main/presenter/presenter-text.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { FakeConnection } from '../support/studio-fakes.js';

async function make() {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1935/live', streamKey: 'key-a' });
  await profile.save({ id: 'b', url: 'rtmp://127.0.0.1:1936/live', streamKey: 'key-b' });
  const conn = new FakeConnection();
  const checked: string[][] = [];
  const session = new LiveSession({
    profile,
    createConnection: () => conn,
    logger: silentLogger,
    checkServers: async (servers) => {
      checked.push(servers.map((s) => s.id));
      return servers.map((s) => ({ id: s.id, label: s.id, result: s.id === 'b' ? 'refused' : 'ready', message: 'm', elapsedMs: 1 }));
    },
  });
  return { profile, conn, session, checked };
}

describe('LiveSession: servers while live', () => {
  it('adds, edits and removes servers of the running webcast, each alone', async () => {
    const { profile, conn, session } = await make();
    await session.start({ kind: 'test-pattern' }, false, 'w');
    await profile.save({ id: 'c', url: 'rtmp://127.0.0.1:1937/live', streamKey: 'key-c' });
    await session.syncServers();
    expect(conn.calls).toEqual(['add:c']);
    expect(session.setup?.servers.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    await profile.save({ originalId: 'a', id: 'a', url: 'rtmp://127.0.0.1:1935/live', streamKey: 'key-a2' });
    await session.syncServers();
    // The new key reaches that server only (the engine gets the full publish URL).
    expect(conn.calls).toEqual(['add:c', 'update:a:rtmp://127.0.0.1:1935/live/key-a2']);
    await profile.remove('b');
    await session.syncServers();
    expect(conn.calls.at(-1)).toBe('remove:b');
    expect(session.current?.servers.map((s) => s.id)).toEqual(['a', 'c']);
    session.retry('a');
    expect(conn.calls.at(-1)).toBe('retry:a');
    expect(() => session.retry('zz')).toThrow('There is no server "zz"');
    await session.stop('test');
    // The last webcast's results go with it.
    expect(session.setup).toBeNull();
    // Idle: nothing to sync, nothing to retry.
    await session.syncServers();
    expect(() => session.retry('a')).toThrow('Not live');
  });

  it('polls /metrics of a node added while live (no presenter token) and forgets a removed one', async () => {
    const { profile, session } = await make();
    const targets: string[][] = [];
    const tiles = new TileStats(session, {
      createStatsPoller: (t) => {
        targets.push(t.map((x) => `${x.id}:${x.controlUrl ?? '-'}`));
        return { start: () => undefined, sample: () => ({ receivedBps: null, viewers: null }), dispose: () => undefined, setTargets: (n) => targets.push(n.map((x) => `${x.id}:${x.controlUrl ?? '-'}`)) };
      },
    });
    await session.start({ kind: 'test-pattern' }, false, 'w');
    await profile.save({ id: 'c', url: 'rtmp://127.0.0.1:1937/live', streamKey: 'key-c', controlUrl: 'http://127.0.0.1:8080' });
    await profile.remove('b');
    await session.syncServers();
    for (const snap of session.current!.conn.snapshots()) tiles.tile(snap);
    expect(targets).toEqual([
      ['a:-', 'b:-'],
      ['a:-', 'c:http://127.0.0.1:8080'],
    ]);
    await session.stop('test');
    tiles.dispose();
  });

  it('tests the servers without going live, and refuses to while live', async () => {
    const { session, checked, conn } = await make();
    const r = await session.testServers();
    expect(checked).toEqual([['a', 'b']]);
    expect(r.message).toBe('1 of 2 servers are reachable. The stream keys are checked when you go live.');
    expect(session.state).toBe('idle');
    expect(session.setup?.servers.map((s) => s.result)).toEqual(['ready', 'refused']);
    expect(conn.sources).toEqual([]);
    await session.start({ kind: 'test-pattern' }, false, 'w');
    await expect(session.testServers()).rejects.toMatchObject({ code: 'invalid-state' });
    await session.stop('test');
  });

  it('counts down between the check and the first frame; a stop during the countdown ends the start', async () => {
    const { session, conn } = await make();
    const seen: Array<number | null> = [];
    session.onChange(() => seen.push(session.countdownEndsAt));
    const t0 = Date.now();
    const r = await session.start({ kind: 'test-pattern' }, false, 'w', { countdownMs: 300 });
    expect(r.live).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(seen.some((x) => x !== null)).toBe(true);
    expect(session.countdownEndsAt).toBeNull();
    await session.stop('test');
    // Viewers were told: the countdown, a fresh webcast, its end (before the engine stopped).
    expect(conn.control.webcast).toEqual(['countdown:1', 'begin:fresh', 'end']);

    const kept = await session.start({ kind: 'test-pattern' }, false, 'w', { continueQa: true });
    expect(kept.live).toBe(true);
    await session.stop('test');
    expect(conn.control.webcast.slice(3)).toEqual(['begin:continue', 'end']);

    const again = session.start({ kind: 'test-pattern' }, false, 'w', { countdownMs: 10_000 });
    const deadline = Date.now() + 5000;
    while (session.countdownEndsAt === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await session.stop('presenter');
    await expect(again).rejects.toMatchObject({ message: STOPPED_BEFORE_LIVE });
    expect(conn.sources.length).toBe(2);
    // A start that never went live announced no begin and no end.
    expect(conn.control.webcast.slice(5)).toEqual(['countdown:10']);
  });
});
