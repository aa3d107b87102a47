// The live session's state machine: idle → setting-up → live → stopping → idle. It owns the engine
// connection of the current session: runs the 3 s setup, goes live on whatever is ready, switches
// the source one switch at a time, and stops cleanly. The other presenter services follow it
// through its events and keep their own per-session state in the session's scope, which is
// disposed when the session ends (before its connection stops), so nothing outlives a session.
import type { GoLiveResult, LiveSource, SessionView } from '../../common/ipc-contract.js';
import { Emitter } from '../../common/event.js';
import { DisposableStore, type IDisposable } from '../../common/lifecycle.js';
import type { SetupStatus } from '../../common/streaming.js';
import type { Logger } from '../engine/base/logger.js';
import type { EncoderStatus } from '../engine/encoder/encoder.js';
import type { SourceSpec } from '../engine/encoder/source.js';
import { NoServerReadyError, checkServers } from '../engine/multi-connection.js';
import { HostError } from './host-error.js';
import type { LiveConnection } from './live-connection.js';
import { announce, applyServerChanges, checkSaved, checkUpload } from './live-servers.js';
import { ALREADY_LIVE, NO_SERVERS, NOT_LIVE, SESSION_BUSY, STOPPED_BEFORE_LIVE, TEST_WHILE_LIVE, type Doing, liveMessage, needsControl, needsLive, notLiveMessage, noServer, testMessage } from './presenter-text.js';
import type { ActiveSession, LiveSessionDeps, PublishedSession, StartOptions, TestResult } from './live-session-types.js';

export type { ActiveSession, LiveSessionDeps, PublishedSession, StartOptions, TestResult } from './live-session-types.js';

export type SessionState = SessionView['state'];
export type OnAir = SessionView['onAir'];

/** How long Stop waits for the nodes to confirm "the webcast has ended" before it stops anyway. */
const END_ACK_MS = 2000;

export class LiveSession implements IDisposable {
  private _state: SessionState = 'idle';
  private _setup: SetupStatus | null = null;
  private _startedAt: number | null = null;
  private _onAir: OnAir = null;
  private _encoder: EncoderStatus | null = null;
  private _countdownEndsAt: number | null = null;
  /** Server changes while live run one after another, in the order they were saved. */
  private syncing: Promise<void> = Promise.resolve();
  private _current: ActiveSession | null = null;
  /** Source switches run one at a time; chunks are refused while one is under way. */
  private switching: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private ending: { session: ActiveSession; done: Promise<void> } | null = null;
  private readonly log: Logger;
  private readonly now: () => number;

  private readonly _onChange = new Emitter<void>();
  /** Something a window shows changed: state, setup, a server's or the encoder's status, the source. */
  readonly onChange = this._onChange.event;
  private readonly _onSetup = new Emitter<ActiveSession>();
  /** A session's connection exists and setup begins: subscribe to it in `session.scope`. */
  readonly onSetup = this._onSetup.event;
  private readonly _onPublish = new Emitter<PublishedSession>();
  /** The session is on air (fires before `onChange` and `onLive` announce it). */
  readonly onPublish = this._onPublish.event;
  private readonly _onLive = new Emitter<boolean>();
  /** True when a session goes live, false when a live session has ended (the shell's power-save blocker listens). */
  readonly onLive = this._onLive.event;
  private readonly _onEnd = new Emitter<void>();
  /** A session (live or one that never got there) has ended: its connection is stopped, the state is idle. */
  readonly onEnd = this._onEnd.event;

  constructor(private readonly deps: LiveSessionDeps) {
    this.log = deps.logger.child({ part: 'live-session' });
    this.now = deps.now ?? Date.now;
  }

  get state(): SessionState {
    return this._state;
  }

  /** Setting up counts: closing the window or sleeping then would cut a webcast that is starting. */
  get isLive(): boolean {
    return this._state === 'live' || this._state === 'setting-up';
  }

  /** The setup results: the running session's (servers added while live included), else the last check. */
  get setup(): SetupStatus | null {
    return this._current?.conn.setupStatus ?? this._setup;
  }

  /** Epoch ms when the countdown before going live ends, while one runs. */
  get countdownEndsAt(): number | null {
    return this._countdownEndsAt;
  }

  get startedAt(): number | null {
    return this._startedAt;
  }

  get onAir(): OnAir {
    return this._onAir;
  }

  get encoder(): EncoderStatus | null {
    return this._encoder;
  }

  /** The session from Go Live until it has ended, or null. */
  get current(): ActiveSession | null {
    return this._current;
  }

  /** Refuses with `message` unless no session is running (e.g. importing a profile mid-webcast). */
  assertIdle(message: string): void {
    if (this._state !== 'idle') throw new HostError('invalid-state', message);
  }

  /** The live connection, when its control plane can do `what`; otherwise why not, in words. */
  requireControl(what: Doing): LiveConnection {
    const s = this._current;
    if (!s || this._state !== 'live') throw new HostError('invalid-state', needsLive(what));
    if (s.controlServers === 0) throw new HostError('invalid-state', needsControl(what));
    return s.conn;
  }

  async start(source: LiveSource, requireAll: boolean, clientId: string, opts: StartOptions = {}): Promise<GoLiveResult> {
    this.assertStartable();
    const servers = await this.deps.profile.engineServers();
    if (servers.length === 0) throw new HostError('invalid-state', NO_SERVERS);
    // Another Go Live may have begun while the servers were read.
    this.assertStartable();
    // Before the state changes: an engine that cannot be made (no ffmpeg) leaves the session idle.
    const conn = this.deps.createConnection({ uplink: {} });
    const session: ActiveSession = { conn, servers, controlServers: servers.filter((s) => s.controlUrl && s.controlToken).length, scope: new DisposableStore() };
    this._current = session;
    this._state = 'setting-up';
    this._setup = null;
    this.watch(session);
    this._onSetup.fire(session);
    this._onChange.fire();
    let setup: SetupStatus;
    try {
      setup = await conn.connect(
        servers.map(({ metricsBase: _m, ...s }) => s),
        { timeoutMs: this.deps.setupTimeoutMs ?? 3000 },
      );
      this.assertStillStarting(session);
      this._setup = setup;
      const ready = setup.servers.filter((s) => s.result === 'ready').length;
      if (opts.countdownMs && ready > 0 && !(requireAll && ready < setup.servers.length)) await this.countdown(session, opts.countdownMs);
      const spec: SourceSpec = source.kind === 'capture' ? { kind: 'chunks', mimeType: source.mimeType } : (this.deps.testPattern ?? { kind: 'test' });
      // The local recording (on by default): a folder that cannot be made costs the recording, not the webcast.
      const recording = (await this.deps.recordingPlan?.()) ?? null;
      this.assertStillStarting(session);
      await conn.publish(spec, { requireAll, ...(recording ? { recording } : {}) });
      this.assertStillStarting(session);
    } catch (err) {
      // Stopped meanwhile (and maybe a new session started): ending it is the stop's job, not ours.
      if (!this.starting(session)) {
        await conn.stop().catch(() => undefined);
        throw err instanceof HostError ? err : new HostError('invalid-state', STOPPED_BEFORE_LIVE);
      }
      this._countdownEndsAt = null;
      await this.end(session);
      if (err instanceof NoServerReadyError) {
        this._setup = err.setup;
        this._onChange.fire();
        return { setup: err.setup, live: false, message: notLiveMessage(err.setup, requireAll) };
      }
      this._onChange.fire();
      throw err;
    }
    this._state = 'live';
    this._startedAt = this.now();
    this._onAir = source.kind === 'capture' ? 'capture' : 'test-pattern';
    this.log.info({ code: setup.code, onAir: this._onAir }, 'live');
    this._onPublish.fire({ session, onAir: this._onAir, clientId });
    // Every node's viewers: the webcast begins (their pages play again), with a fresh Q&A unless
    // the presenter chose to continue the last one. Acknowledged per node in the background.
    void announce(this.log, 
      session.conn.control.beginWebcast({ continueQa: !!opts.continueQa }),
      opts.continueQa ? 'webcast begins, Q&A continued' : 'webcast begins, fresh Q&A',
    );
    this._onChange.fire();
    this._onLive.fire(true);
    return { setup, live: true, message: liveMessage(setup) };
  }

  /**
   * "Test servers": the setup check on every server without going live (reachable, not yet the
   * key: only a publish proves that). Its results stay on screen until Go Live or the next test.
   */
  async testServers(): Promise<TestResult> {
    this.assertStartable();
    const servers = await this.deps.profile.engineServers();
    if (servers.length === 0) throw new HostError('invalid-state', NO_SERVERS);
    const setup = await checkSaved(servers, this.deps.checkServers ?? checkServers, this.deps.setupTimeoutMs ?? 3000);
    // A Go Live that began meanwhile has its own results.
    if (this._state !== 'idle') throw new HostError('invalid-state', TEST_WHILE_LIVE);
    this._setup = setup;
    this._onChange.fire();
    const upload = await checkUpload(servers, this.deps.preflight);
    if (this._state !== 'idle') throw new HostError('invalid-state', TEST_WHILE_LIVE);
    return { setup, message: testMessage(setup), upload };
  }

  /** Retry on a server the engine stopped trying (a refused key): publishes again now. */
  retry(id: string): void {
    const s = this._current;
    if (!s || this._state !== 'live') throw new HostError('invalid-state', NOT_LIVE);
    if (!s.servers.some((x) => x.id === id)) throw new HostError('not-found', noServer(id));
    s.conn.retry(id);
  }

  /**
   * While live, after the presenter saved or removed servers: a new one joins (setup check, then
   * live), a removed one stops alone, an edited URL or key applies to that server only. Nothing
   * happens when idle (the next Go Live reads the servers anyway).
   */
  syncServers(): Promise<void> {
    const run = this.syncing.then(async () => {
      const s = this._current;
      if (!s || this._state !== 'live') return;
      const wanted = await this.deps.profile.engineServers();
      if (this._current !== s || this._state !== 'live') return;
      const applied = applyServerChanges(s.servers, wanted, s.conn, { timeoutMs: this.deps.setupTimeoutMs ?? 3000, onAdded: () => this._onChange.fire() });
      this._onChange.fire();
      await applied;
    });
    this.syncing = run.catch((err: unknown) => this.log.error({ err: String(err) }, 'applying server changes while live failed'));
    return run;
  }

  /** Ends the session (every server sees a clean end). Safe to call twice: the second waits for the first. */
  stop(why: string): Promise<void> {
    if (this._state === 'idle') return Promise.resolve();
    this.stopping ??= this.runStop(why).finally(() => (this.stopping = null));
    return this.stopping;
  }

  /**
   * Puts another source on air while live (the slate, a re-attached capture). `onSwitched` runs
   * once the engine has switched, before windows hear of it, so they see who owns the capture now.
   */
  async switchSource(spec: SourceSpec, onSwitched?: () => void): Promise<void> {
    // Bounded by the switches already queued: each ends (or fails) on its own.
    while (this.switching) await this.switching.catch(() => undefined);
    const session = this._current;
    if (!session || this._state !== 'live') throw new HostError('invalid-state', NOT_LIVE);
    const run = session.conn.switchSource(spec).then(() => {
      this._onAir = onAirOf(spec);
      onSwitched?.();
    });
    this.switching = run;
    try {
      await run;
    } finally {
      this.switching = null;
      this._onChange.fire();
    }
  }

  /** Capture bytes, heard only while a capture is on air and no switch is under way. */
  pushChunk(chunk: Uint8Array): boolean {
    const s = this._current;
    if (!s || this._state !== 'live' || this._onAir !== 'capture' || this.switching) return false;
    return s.conn.pushChunk(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  /** Stops a running session in the background; call (and await) stop() first for a clean end. */
  dispose(): void {
    void this.stop('disposed').finally(() => {
      this._onChange.dispose();
      this._onSetup.dispose();
      this._onPublish.dispose();
      this._onLive.dispose();
      this._onEnd.dispose();
    });
  }

  /** The countdown between setup and the first frame; a stop meanwhile ends the start. */
  private async countdown(session: ActiveSession, ms: number): Promise<void> {
    this._countdownEndsAt = this.now() + ms;
    this._onChange.fire();
    void announce(this.log, session.conn.control.countdown(Math.max(1, Math.round(ms / 1000))), 'countdown announced');
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      session.scope.add({ dispose: () => (clearTimeout(t), resolve()) });
    });
    this._countdownEndsAt = null;
    this.assertStillStarting(session);
  }

  private assertStartable(): void {
    if (this._state !== 'idle') throw new HostError('invalid-state', this._state === 'live' ? ALREADY_LIVE : SESSION_BUSY);
  }

  private starting(session: ActiveSession): boolean {
    return this._current === session && this._state === 'setting-up';
  }

  private assertStillStarting(session: ActiveSession): void {
    if (!this.starting(session)) throw new HostError('invalid-state', STOPPED_BEFORE_LIVE);
  }

  /** The session's own status events, which change what every window shows. */
  private watch(session: ActiveSession): void {
    const { conn, scope } = session;
    scope.add(
      conn.control.onStatus((e) => {
        this.log.info({ server: e.server, control: e.status.state }, 'control session');
        this._onChange.fire();
      }),
    );
    scope.add(conn.onServerStatus(() => this._onChange.fire()));
    scope.add(
      conn.onEncoderStatus((e) => {
        this._encoder = e;
        this._onChange.fire();
      }),
    );
  }

  private async runStop(why: string): Promise<void> {
    const session = this._current;
    const wasLive = this._state === 'live';
    this._state = 'stopping';
    this._onChange.fire();
    this.log.info({ why }, 'stopping');
    await this.switching?.catch(() => undefined);
    // Viewers first: every node's page says the webcast has ended (and stops reconnecting) before
    // the stream goes, so nobody sees a frozen frame under "Live". Bounded: a node that does not
    // confirm gets the phase when its session comes back.
    if (session && wasLive) await announce(this.log, session.conn.control.endWebcast({ timeoutMs: END_ACK_MS }), 'webcast ended');
    if (session) await this.end(session);
    if (wasLive) this._onLive.fire(false);
    this._onChange.fire();
  }

  /** One end per session, whoever asks first (a failed start or a stop); the other waits for it. */
  private end(session: ActiveSession): Promise<void> {
    if (this.ending?.session === session) return this.ending.done;
    const done = (async () => {
      try {
        session.scope.dispose();
      } catch (err) {
        this.log.error({ err: String(err) }, 'a session listener failed to let go');
      }
      try {
        await session.conn.stop();
      } catch (err) {
        this.log.error({ err: String(err) }, 'engine stop failed');
      }
      this._current = null;
      this._state = 'idle';
      // The next session starts from a clean slate: last time's results would not be true now.
      this._setup = null;
      this._countdownEndsAt = null;
      this._startedAt = null;
      this._onAir = null;
      this._encoder = null;
      this._onEnd.fire();
    })();
    this.ending = { session, done };
    return done;
  }
}

function onAirOf(spec: SourceSpec): OnAir {
  if (spec.kind === 'chunks') return 'capture';
  if (spec.kind === 'slate') return 'slate';
  return 'test-pattern';
}
