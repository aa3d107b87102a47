// The live session's state machine on a fake engine: the order in which it tells its followers
// about a session (so each can set up and let go of its own state), one end per session whoever
// asks, a stop that lands while publishing, source switches one at a time, and every refusal in words.
import { describe, expect, it } from 'vitest';
import type { SourceSpec } from '../../main/engine/encoder/source.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { FfmpegNotFoundError } from '../../main/engine/ffmpeg/find-ffmpeg.js';
import { toDisposable } from '../../common/lifecycle.js';
import type { LiveConnection } from '../../main/presenter/live-connection.js';
import { LiveSession } from '../../main/presenter/live-session.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { DOING, NO_SERVERS, NOT_LIVE, STOPPED_BEFORE_LIVE, needsControl, needsLive } from '../../main/presenter/presenter-text.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { FakeConnection } from '../support/studio-fakes.js';

const TOKEN = 'presenter-token-0123456789abcdef';

/** A promise the test resolves when it chooses: the engine step it stands for is "under way" until then. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** A fake engine whose publish, switch and stop wait for the test, and which logs when it stops. */
class GatedConnection extends FakeConnection {
  publishGate: ReturnType<typeof gate> | null = null;
  readonly publishCalled = gate();
  readonly switchGates: Array<ReturnType<typeof gate>> = [];
  switchCalls = 0;
  stopGate: ReturnType<typeof gate> | null = null;
  constructor(private readonly log: string[] = []) {
    super();
  }
  override async publish(source: SourceSpec, opts?: { requireAll?: boolean }): Promise<void> {
    this.publishCalled.open();
    await this.publishGate?.opened;
    return super.publish(source, opts);
  }
  override async switchSource(source: SourceSpec): Promise<void> {
    const g = this.switchGates[this.switchCalls++];
    await g?.opened;
    this.sources.push(source);
  }
  override async stop(): Promise<void> {
    await this.stopGate?.opened;
    this.log.push('conn-stopped');
    return super.stop();
  }
}

async function make(o: { control?: boolean; servers?: boolean; conn?: () => LiveConnection } = {}) {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  if (o.servers !== false) {
    await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live/k', ...(o.control ? { controlUrl: 'http://127.0.0.1:8080', token: TOKEN } : {}) });
  }
  const log: string[] = [];
  const conn = new GatedConnection(log);
  const session = new LiveSession({ profile, createConnection: o.conn ?? (() => conn), logger: silentLogger });
  session.onSetup(({ scope }) => {
    log.push('setup');
    scope.add(toDisposable(() => log.push('scope-disposed')));
  });
  session.onChange(() => log.push(`change:${session.state}`));
  session.onPublish((e) => log.push(`publish:${e.onAir}:${e.clientId}`));
  session.onLive((live) => log.push(`live:${live}`));
  session.onEnd(() => log.push(`end:${session.state}`));
  return { session, conn, log };
}

describe('LiveSession', () => {
  it('goes setting-up → live → stopping → idle, telling its followers in order, scope before the engine stops', async () => {
    const { session, conn, log } = await make();
    const r = await session.start({ kind: 'capture', mimeType: 'video/webm' }, false, 'w1');
    expect(r).toMatchObject({ live: true, message: 'The server is reachable: going live.' });
    expect(log).toEqual(['setup', 'change:setting-up', 'publish:capture:w1', 'change:live', 'live:true']);
    expect(session).toMatchObject({ state: 'live', isLive: true, onAir: 'capture' });
    expect(session.startedAt).not.toBeNull();
    log.length = 0;
    await session.stop('test');
    expect(log).toEqual(['change:stopping', 'scope-disposed', 'conn-stopped', 'end:idle', 'live:false', 'change:idle']);
    expect(session).toMatchObject({ state: 'idle', isLive: false, onAir: null, startedAt: null, current: null });
    expect(conn.stopped).toBe(1);
  });

  it('ends a session that finds no server ready without ever being live, and keeps its setup to show why', async () => {
    const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
    await profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live/k' });
    const conn = new FakeConnection({ a: 'refused' });
    const session = new LiveSession({ profile, createConnection: () => conn, logger: silentLogger });
    const seen: string[] = [];
    session.onLive((l) => seen.push(`live:${l}`));
    session.onEnd(() => seen.push('end'));
    const r = await session.start({ kind: 'test-pattern' }, false, 'w1');
    expect(r).toMatchObject({ live: false, setup: { code: 'NetConnection.Setup.Failed' } });
    expect(r.message).toMatch(/^Not live: no server is reachable\. rtmp:\/\/127\.0\.0\.1:1\/live: refused$/);
    expect(seen).toEqual(['end']);
    expect(session.state).toBe('idle');
    expect(session.setup?.servers[0]?.result).toBe('refused');
    expect(conn.stopped).toBe(1);
  });

  it('a stop that lands while publishing wins: Go Live is refused in words and the session never shows live', async () => {
    const { session, conn, log } = await make();
    conn.publishGate = gate();
    const starting = session.start({ kind: 'test-pattern' }, false, 'w1');
    await conn.publishCalled.opened;
    const stopping = session.stop('test');
    conn.publishGate.open(); // the engine publishes after all
    await expect(starting).rejects.toMatchObject({ code: 'invalid-state', message: STOPPED_BEFORE_LIVE });
    await stopping;
    expect(session.state).toBe('idle');
    expect(log).not.toContain('change:live');
    expect(log.filter((e) => e.startsWith('live:'))).toEqual([]);
    expect(log.filter((e) => e === 'scope-disposed')).toHaveLength(1);
  });

  it('ends a session once: a second stop waits for the first, a stop while idle resolves at once', async () => {
    const { session, conn, log } = await make();
    await session.start({ kind: 'test-pattern' }, false, 'w1');
    conn.stopGate = gate();
    let secondDone = false;
    const first = session.stop('first');
    const second = session.stop('second').then(() => (secondDone = true));
    await new Promise((r) => setImmediate(r));
    expect(secondDone).toBe(false); // the engine has not stopped yet
    conn.stopGate.open();
    await Promise.all([first, second]);
    expect(secondDone).toBe(true);
    expect(conn.stopped).toBe(1);
    expect(log.filter((e) => e.startsWith('end:'))).toEqual(['end:idle']);
    await session.stop('idle');
    expect(conn.stopped).toBe(1);
  });

  it('switches one at a time, refuses chunks meanwhile, and shows the source that is on air', async () => {
    const { session, conn } = await make();
    await session.start({ kind: 'capture', mimeType: 'video/webm' }, false, 'w1');
    expect(session.pushChunk(new Uint8Array([1]))).toBe(true);
    const [g1, g2] = [gate(), gate()];
    conn.switchGates.push(g1, g2);
    const order: string[] = [];
    const toSlate = session.switchSource({ kind: 'slate', imagePath: '/s.png' }, () => order.push('slate'));
    const toCapture = session.switchSource({ kind: 'chunks', mimeType: 'video/webm' }, () => order.push('capture'));
    await new Promise((r) => setImmediate(r));
    expect(conn.switchCalls).toBe(1); // the second waits for the first
    expect(session.pushChunk(new Uint8Array([2]))).toBe(false);
    g1.open();
    await toSlate;
    expect(session.onAir).toBe('slate');
    expect(session.pushChunk(new Uint8Array([3]))).toBe(false); // the slate is on air, or the next switch is under way
    g2.open();
    await toCapture;
    expect(order).toEqual(['slate', 'capture']);
    expect(session.onAir).toBe('capture');
    expect(session.pushChunk(new Uint8Array([4]))).toBe(true);
    expect(conn.chunks.map((c) => [...c])).toEqual([[1], [4]]);
    await session.stop('test');
  });

  it('refuses in words: no servers, live twice, control without a session or a control session, a switch when idle', async () => {
    const empty = await make({ servers: false });
    await expect(empty.session.start({ kind: 'test-pattern' }, false, 'w')).rejects.toMatchObject({ code: 'invalid-state', message: NO_SERVERS });
    await expect(empty.session.switchSource({ kind: 'slate', imagePath: '/s.png' })).rejects.toMatchObject({ code: 'invalid-state', message: NOT_LIVE });
    expect(() => empty.session.requireControl(DOING.moderate)).toThrow(needsLive(DOING.moderate));

    const plain = await make();
    await plain.session.start({ kind: 'test-pattern' }, false, 'w');
    await expect(plain.session.start({ kind: 'test-pattern' }, false, 'w')).rejects.toMatchObject({ code: 'invalid-state', message: 'Already live' });
    expect(() => plain.session.requireControl(DOING.cues)).toThrow(needsControl(DOING.cues));
    expect(() => plain.session.assertIdle('Stop first')).toThrow('Stop first');
    await plain.session.stop('test');
    expect(() => plain.session.assertIdle('Stop first')).not.toThrow();

    const node = await make({ control: true });
    await node.session.start({ kind: 'test-pattern' }, false, 'w');
    expect(node.session.requireControl(DOING.stage)).toBe(node.conn);
    expect(node.session.current?.controlServers).toBe(1);
    await node.session.stop('test');
  });

  it('stays idle, telling nobody, when the engine cannot be made (no ffmpeg)', async () => {
    const { session, log } = await make({
      conn: () => {
        throw new FfmpegNotFoundError(['PATH']);
      },
    });
    await expect(session.start({ kind: 'test-pattern' }, false, 'w')).rejects.toBeInstanceOf(FfmpegNotFoundError);
    expect(session.state).toBe('idle');
    expect(log).toEqual([]);
  });
});
