// The engine host: the one place that owns a live session. Electron's shell and studio mode both
// build one and connect their windows (IPC senders, WebSockets) to it as clients. It runs the 3 s
// setup, goes live on whatever is ready, keeps every window's view current, and keeps the stream
// going without its window: when the window whose capture is on air goes away, the brand slate
// (image + silence, timestamps continuous) goes on air until a window re-attaches its capture.
import type { EventChannel, EventPayload, GoLiveResult, QaExport, QaState, ServerTile, SessionView } from '../../common/ipc-contract.js';
import type { Cue, Json } from '../../common/control-protocol.js';
import { exportCsv, exportJson, ordered, type QaState as EngineQa } from '../../common/qa.js';
import { Emitter } from '../../common/event.js';
import { DisposableStore, type IDisposable, toDisposable } from '../../common/lifecycle.js';
import type { ControlStatus, ServerConfig, ServerSnapshot, SetupStatus } from '../../common/streaming.js';
import type { Logger } from '../engine/base/logger.js';
import type { EncoderStatus } from '../engine/encoder/encoder.js';
import type { SourceSpec } from '../engine/encoder/source.js';
import type { Event } from '../../common/event.js';
import { type ControlPlane, type NodeStatsEvent, SharedObjectTooLargeError } from '../engine/control/control-plane.js';
import { NoServerReadyError } from '../engine/multi-connection.js';
import { HostError } from './host-error.js';
import type { InvokeHandlers } from './ipc-dispatch.js';
import type { PresenterProfile } from './presenter-profile.js';
import { ServerStatsPoller } from './server-stats.js';

/** The part of MultiConnection the host uses: tests give it a fake, the app the real engine. */
export interface LiveConnection {
  connect(servers: ServerConfig[], opts?: { timeoutMs?: number }): Promise<SetupStatus>;
  publish(source: SourceSpec, opts?: { requireAll?: boolean }): Promise<void>;
  switchSource(source: SourceSpec): Promise<void>;
  pushChunk(chunk: Buffer): boolean;
  snapshots(): ServerSnapshot[];
  stop(): Promise<void>;
  readonly onServerStatus: Event<ServerSnapshot>;
  readonly onEncoderStatus: Event<EncoderStatus>;
  /** The control plane: Q&A, shared objects and cues across every Tandem node. */
  readonly control: LiveControl;
  /** Sends a cue stamped with the current stream time, on each server's own timeline. */
  nsSend(kind: string, data: Json): Cue;
}

/** The part of the engine's ControlPlane the host delegates to. */
export type LiveControl = Pick<ControlPlane, 'onQuestions' | 'onStatus' | 'onNodeStats' | 'qaState' | 'moderate' | 'exportQa' | 'setSo' | 'getSo'>;

/** A window (Electron webContents or studio WebSocket) that receives the host's events. */
export interface HostClient {
  readonly id: string;
  send<E extends EventChannel>(event: E, payload: EventPayload<E>): void;
}

export interface EngineHostDeps {
  profile: PresenterProfile;
  createConnection: () => LiveConnection;
  /** A PNG/JPEG shown (with silence) while no window's capture is on air. */
  slateImagePath: string;
  logger: Logger;
  mode: 'electron' | 'studio';
  version: string;
  demo?: boolean;
  /** The test pattern used for the `test-pattern` source. */
  testPattern?: SourceSpec;
  /** How often live views are refreshed (bitrate, uptime). */
  tickMs?: number;
  setupTimeoutMs?: number;
  now?: () => number;
  /** Polls /metrics of Tandem nodes that have a control URL but no control session (no token); replaced in tests. */
  createStatsPoller?: (targets: Array<{ id: string; controlUrl?: string }>) => Pick<ServerStatsPoller, 'start' | 'sample' | 'dispose'>;
}

export const QA_NO_CONTROL = "Q&A appears when your servers run Tandem's control plane: give a Tandem node a control URL and presenter token.";
export const QA_NOT_LIVE = 'Q&A opens when you go live: questions come in through your Tandem nodes.';

export const QA_UNAVAILABLE: QaState = {
  available: false,
  message: QA_NO_CONTROL,
  preModeration: false,
  banner: '',
  slideTitle: '',
  questions: [],
};

/** A node's getStats answer older than this (its control session went away) is no longer shown. */
export const NODE_STATS_STALE_MS = 6000;

/** How often merged Q&A changes are pushed to windows at most (a busy Q&A fires per vote). */
const QA_PUSH_MS = 100;

type OnAir = SessionView['onAir'];

export class EngineHost implements IDisposable {
  private readonly clients = new Map<string, HostClient>();
  private state: SessionView['state'] = 'idle';
  private setup: SetupStatus | null = null;
  private startedAt: number | null = null;
  private onAir: OnAir = null;
  private ownerId: string | null = null;
  private encoder: EncoderStatus | null = null;
  private conn: LiveConnection | null = null;
  private stats: Pick<ServerStatsPoller, 'start' | 'sample' | 'dispose'> | null = null;
  /** Each node's own view of the stream (getStats over its control session), and when it arrived. */
  private readonly nodeStats = new Map<string, { stats: NodeStatsEvent['stats']; at: number }>();
  private readonly session = new DisposableStore();
  private sessionScope: DisposableStore | null = null;
  /** Source switches run one at a time; chunks are refused while one is under way. */
  private switching: Promise<void> | null = null;
  private disposed = false;
  /** Pre-moderation as the presenter set it: applied to every new session's control plane. */
  private preModeration = false;
  /** Servers of the current session that have a control session (controlUrl + token). */
  private controlServers = 0;
  /** The last session's Q&A, kept after Stop so it can still be exported. */
  private lastQa: EngineQa | null = null;
  private qaTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly log: Logger;

  private readonly _onDidChangeLive = new Emitter<boolean>();
  /** Fires true when a session goes live and false when it ends (the shell's power-save blocker listens). */
  readonly onDidChangeLive = this._onDidChangeLive.event;

  constructor(private readonly deps: EngineHostDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.logger.child({ part: 'engine-host' });
  }

  get isLive(): boolean {
    return this.state === 'live' || this.state === 'setting-up';
  }

  get sessionState(): SessionView['state'] {
    return this.state;
  }

  get onAirSource(): OnAir {
    return this.onAir;
  }

  readonly handlers: InvokeHandlers = {
    'app.info': async () => ({ mode: this.deps.mode, version: this.deps.version, demo: !!this.deps.demo }),
    'servers.list': async () => this.deps.profile.servers(),
    'servers.save': async (args) => {
      const list = await this.deps.profile.save(args);
      this.broadcast('servers', list);
      return list;
    },
    'servers.remove': async (args) => {
      const list = await this.deps.profile.remove(args.id);
      this.broadcast('servers', list);
      return list;
    },
    'profile.import': async (args) => {
      if (this.state !== 'idle') throw new HostError('invalid-state', 'Stop the webcast before importing another cluster profile');
      const view = await this.deps.profile.importProfile(args.text);
      this.broadcast('profile', view);
      this.broadcast('servers', await this.deps.profile.servers());
      return view;
    },
    'profile.get': async () => this.deps.profile.profile(),
    'session.get': async (_args, ctx) => this.view(ctx.clientId),
    'live.start': async (args, ctx) => this.goLive(args.source, args.requireAll, ctx.clientId),
    'live.stop': async (_args, ctx) => {
      await this.stopLive('the presenter stopped');
      return this.view(ctx.clientId);
    },
    'capture.attach': async (args, ctx) => {
      await this.attachCapture(ctx.clientId, args.mimeType);
      return this.view(ctx.clientId);
    },
    'qa.get': async () => this.qaView(),
    'qa.moderate': async (args) => {
      const control = this.liveControl('moderate questions');
      control.moderate(args.action === 'unpin' ? { action: 'pin', questionId: null } : { action: args.action === 'answered' ? 'answer' : args.action, questionId: args.id });
      return this.pushQa();
    },
    'qa.setPremoderation': async (args) => {
      this.preModeration = args.on;
      // Takes effect at once while live, and for the next session otherwise.
      this.conn?.control.moderate({ action: 'pre-moderation', on: args.on });
      return this.pushQa();
    },
    'qa.export': async (args) => this.exportQa(args.format),
    'so.set': async (args) => {
      const control = this.liveControl('update what viewers see');
      let changed: string[];
      try {
        changed = control.setSo(args.object, { [args.slot]: args.value as Json });
      } catch (err) {
        if (err instanceof SharedObjectTooLargeError) throw new HostError('invalid-args', `"${args.object}" would be too large for the servers to take: clear some of its slots first`);
        throw err;
      }
      this.log.info({ object: args.object, slot: args.slot, changed: changed.length > 0 }, 'shared object set');
      if (changed.length > 0) this.pushQa();
      return { object: args.object, slot: args.slot, changed: changed.length > 0 };
    },
    'cue.send': async (args) => {
      this.liveControl('send cues');
      const cue = this.conn!.nsSend(args.name, args.payload);
      this.log.info({ cue: cue.id, kind: cue.kind, streamTimeMs: cue.streamTimeMs }, 'cue sent');
      return { id: cue.id, streamTimeMs: cue.streamTimeMs };
    },
  };

  /** The Q&A panel's view: the engine's merged list while live, the last session's after Stop. */
  qaView(): QaState {
    const live = this.conn !== null;
    const qa = this.conn ? this.conn.control.qaState : this.lastQa;
    const available = this.state === 'live' && this.controlServers > 0;
    const message = available
      ? `Questions from ${this.controlServers} Tandem node${this.controlServers === 1 ? '' : 's'}.`
      : live
        ? QA_NO_CONTROL
        : qa
          ? 'The webcast has ended. Export keeps its questions.'
          : QA_NOT_LIVE;
    const text = (object: string): string => {
      const v = this.conn?.control.getSo(object, 'title');
      return typeof v === 'string' ? v : '';
    };
    return {
      available,
      message,
      preModeration: this.preModeration,
      banner: text('banner'),
      slideTitle: text('slide'),
      questions: qa
        ? ordered(qa).map((q) => ({
            id: q.id,
            text: q.text,
            author: q.name ?? null,
            votes: q.votes,
            askedAt: q.askedAt,
            status: q.status,
            pinned: q.id === qa.pinnedId,
            servers: [...q.nodes],
          }))
        : [],
    };
  }

  private liveControl(what: string): LiveConnection['control'] {
    if (!this.conn || this.state !== 'live') throw new HostError('invalid-state', `Go live first: you can ${what} while live`);
    if (this.controlServers === 0) throw new HostError('invalid-state', `None of your servers has a control session (a Tandem node with a control URL and presenter token), so there is no way to ${what}`);
    return this.conn.control;
  }

  private exportQa(format: 'csv' | 'json'): QaExport {
    const live = this.conn !== null && this.state === 'live';
    const qa = live ? null : this.lastQa;
    if (!live && !qa) throw new HostError('invalid-state', 'There are no questions to export yet: go live first');
    const text = live ? this.conn!.control.exportQa(format) : format === 'csv' ? exportCsv(qa!) : exportJson(qa!);
    const stamp = new Date(this.now()).toISOString().slice(0, 16).replace(/:/g, '-');
    return { format, filename: `questions-${stamp}.${format}`, mimeType: format === 'csv' ? 'text/csv' : 'application/json', text };
  }

  /** Sends the Q&A view to every window now (cancelling a pending coalesced push) and returns it. */
  private pushQa(): QaState {
    if (this.qaTimer) clearTimeout(this.qaTimer);
    this.qaTimer = null;
    const view = this.qaView();
    this.broadcast('qa', view);
    return view;
  }

  private scheduleQaPush(): void {
    this.qaTimer ??= setTimeout(() => {
      this.qaTimer = null;
      if (!this.disposed) this.pushQa();
    }, QA_PUSH_MS);
  }

  /** Connects a window. Disposing it detaches the window; if its capture was on air, the slate takes over. */
  attach(client: HostClient): IDisposable {
    if (this.disposed) throw new HostError('invalid-state', 'The app is shutting down');
    this.clients.set(client.id, client);
    this.log.info({ client: client.id, clients: this.clients.size }, 'window attached');
    return toDisposable(() => this.detach(client.id));
  }

  /** Capture bytes from a window; only the window whose capture is on air is heard. */
  pushChunk(clientId: string, chunk: Uint8Array): boolean {
    if (this.state !== 'live' || this.onAir !== 'capture' || this.ownerId !== clientId || this.switching || !this.conn) return false;
    return this.conn.pushChunk(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  view(clientId: string | null): SessionView {
    const snaps = this.conn?.snapshots() ?? [];
    const tiles: ServerTile[] = snaps.map((snapshot) => this.tile(snapshot));
    return {
      state: this.state,
      setup: this.setup,
      startedAt: this.startedAt,
      onAir: this.onAir,
      captureOwner: clientId !== null && this.ownerId === clientId,
      encoder: this.encoder ? { state: this.encoder.state, message: this.encoder.message } : null,
      tiles,
    };
  }

  /**
   * A server's tile: the engine's snapshot plus what the server itself receives. A node with a
   * control session reports its own view of the stream (getStats: the stream's ingest bitrate, fps,
   * keyframe age, viewers); a node with only a control URL falls back to /metrics (node-wide bytes
   * and viewers); plain RTMP servers report nothing.
   */
  private tile(snapshot: ServerSnapshot): ServerTile {
    const node = this.nodeStats.get(snapshot.id);
    if (node && this.now() - node.at <= NODE_STATS_STALE_MS) {
      const n = node.stats;
      return { snapshot, reportedBy: 'node', nodeLive: n.live, receivedBps: n.ingestBps, fps: n.fps, keyframeAgeMs: n.keyframeAgeMs, viewers: n.viewers };
    }
    const m = this.stats?.sample(snapshot.id);
    if (m && (m.receivedBps !== null || m.viewers !== null)) {
      return { snapshot, reportedBy: 'metrics', nodeLive: null, receivedBps: m.receivedBps, fps: null, keyframeAgeMs: null, viewers: m.viewers };
    }
    return { snapshot, reportedBy: null, nodeLive: null, receivedBps: null, fps: null, keyframeAgeMs: null, viewers: null };
  }

  /** Stops any live session and detaches every window. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stopLive('the app is closing');
    this.clients.clear();
    this.session.dispose();
    this._onDidChangeLive.dispose();
  }

  dispose(): void {
    void this.shutdown();
  }

  private async goLive(source: { kind: 'capture'; mimeType: string } | { kind: 'test-pattern' }, requireAll: boolean, clientId: string): Promise<GoLiveResult> {
    if (this.state !== 'idle') throw new HostError('invalid-state', this.state === 'live' ? 'Already live' : 'A session is starting or stopping; try again in a moment');
    const servers = await this.deps.profile.engineServers();
    if (servers.length === 0) throw new HostError('invalid-state', 'Add at least one server before going live');
    // Before the state changes: an engine that cannot be made (no ffmpeg) leaves the host idle.
    const conn = this.deps.createConnection();
    this.state = 'setting-up';
    this.setup = null;
    this.broadcastSession();
    const scope = new DisposableStore();
    this.conn = conn;
    this.sessionScope = scope;
    this.lastQa = null;
    this.controlServers = servers.filter((s) => s.controlUrl && s.controlToken).length;
    conn.control.moderate({ action: 'pre-moderation', on: this.preModeration });
    scope.add(conn.control.onQuestions(() => this.scheduleQaPush()));
    scope.add(conn.control.onStatus((e: { server: string; status: ControlStatus }) => {
      this.log.info({ server: e.server, control: e.status.state }, 'control session');
      this.broadcastSession();
    }));
    scope.add(toDisposable(() => {
      if (this.qaTimer) clearTimeout(this.qaTimer);
      this.qaTimer = null;
    }));
    // Every node's own view of the stream, polled by the engine every 2 s; the tiles show it at the next tick.
    scope.add(conn.control.onNodeStats((e) => this.nodeStats.set(e.server, { stats: e.stats, at: this.now() })));
    scope.add(toDisposable(() => this.nodeStats.clear()));
    scope.add(conn.onServerStatus(() => this.broadcastSession()));
    scope.add(
      conn.onEncoderStatus((e) => {
        this.encoder = e;
        this.broadcastSession();
      }),
    );
    let setup: SetupStatus;
    try {
      setup = await conn.connect(
        servers.map(({ metricsBase: _m, ...s }) => s),
        { timeoutMs: this.deps.setupTimeoutMs ?? 3000 },
      );
      if (this.conn !== conn) throw new HostError('invalid-state', 'Stopped before going live');
      this.setup = setup;
      const spec: SourceSpec = source.kind === 'capture' ? { kind: 'chunks', mimeType: source.mimeType } : (this.deps.testPattern ?? { kind: 'test' });
      await conn.publish(spec, { requireAll });
    } catch (err) {
      // Stopped meanwhile (and maybe a new session started): that one is not ours to end.
      if (this.conn !== conn) {
        await conn.stop().catch(() => undefined);
        throw err instanceof HostError ? err : new HostError('invalid-state', 'Stopped before going live');
      }
      await this.endSession();
      if (err instanceof NoServerReadyError) {
        this.setup = err.setup;
        this.broadcastSession();
        return { setup: err.setup, live: false, message: notLiveMessage(err.setup, requireAll) };
      }
      this.broadcastSession();
      throw err;
    }
    this.state = 'live';
    this.startedAt = this.now();
    this.onAir = source.kind === 'capture' ? 'capture' : 'test-pattern';
    this.ownerId = source.kind === 'capture' ? clientId : null;
    // /metrics only for nodes without a control session: the others report through getStats.
    const stats = (this.deps.createStatsPoller ?? ((t) => new ServerStatsPoller(t)))(
      servers.map((s) => ({ id: s.id, ...(s.metricsBase && !s.controlToken ? { controlUrl: s.metricsBase } : {}) })),
    );
    this.stats = stats;
    scope.add(toDisposable(() => stats.dispose()));
    stats.start();
    const tick = setInterval(() => this.broadcastSession(), this.deps.tickMs ?? 1000);
    tick.unref();
    scope.add(toDisposable(() => clearInterval(tick)));
    this.log.info({ code: setup.code, onAir: this.onAir }, 'live');
    this._onDidChangeLive.fire(true);
    this.broadcastSession();
    this.pushQa();
    // The window went away during setup: it will never send its capture.
    if (this.ownerId !== null && !this.clients.has(this.ownerId)) this.toSlate(this.ownerId);
    return { setup, live: true, message: liveMessage(setup) };
  }

  private async stopLive(why: string): Promise<void> {
    if (this.state === 'idle') return;
    if (this.state === 'stopping') {
      while (this.state === 'stopping') await new Promise((r) => setTimeout(r, 20));
      return;
    }
    const wasLive = this.state === 'live';
    this.state = 'stopping';
    this.broadcastSession();
    this.log.info({ why }, 'stopping');
    await this.switching?.catch(() => undefined);
    await this.endSession();
    if (wasLive) this._onDidChangeLive.fire(false);
    this.broadcastSession();
  }

  private async endSession(): Promise<void> {
    const conn = this.conn;
    if (conn) this.lastQa = conn.control.qaState;
    this.sessionScope?.dispose();
    this.sessionScope = null;
    this.stats = null;
    try {
      await conn?.stop();
    } catch (err) {
      this.log.error({ err: String(err) }, 'engine stop failed');
    }
    this.conn = null;
    this.state = 'idle';
    this.startedAt = null;
    this.onAir = null;
    this.ownerId = null;
    this.encoder = null;
    this.controlServers = 0;
    this.pushQa();
  }

  private async attachCapture(clientId: string, mimeType: string): Promise<void> {
    if (this.state !== 'live' || !this.conn) throw new HostError('invalid-state', 'Not live: go live first');
    await this.switchTo(
      { kind: 'chunks', mimeType },
      () => {
        this.ownerId = clientId;
        this.onAir = 'capture';
      },
    );
    this.log.info({ client: clientId }, 'capture attached');
  }

  private detach(clientId: string): void {
    if (!this.clients.delete(clientId)) return;
    this.log.info({ client: clientId, clients: this.clients.size }, 'window detached');
    if (this.ownerId !== clientId || this.state !== 'live' || this.disposed) return;
    this.toSlate(clientId);
  }

  /** The window that was on air is gone (closed, crashed, reloaded): keep the servers fed. */
  private toSlate(clientId: string): void {
    this.ownerId = null;
    void this.switchTo({ kind: 'slate', imagePath: this.deps.slateImagePath }, () => {
      this.onAir = 'slate';
    }).then(
      () => this.log.warn({ client: clientId }, 'capture window gone; slate on air'),
      (err) => this.log.error({ err: String(err) }, 'could not put the slate on air'),
    );
  }

  private async switchTo(spec: SourceSpec, onSwitched: () => void): Promise<void> {
    while (this.switching) await this.switching.catch(() => undefined);
    const conn = this.conn;
    if (!conn || this.state !== 'live') throw new HostError('invalid-state', 'Not live');
    const run = conn.switchSource(spec).then(onSwitched);
    this.switching = run;
    try {
      await run;
    } finally {
      this.switching = null;
      this.broadcastSession();
    }
  }

  private broadcastSession(): void {
    for (const c of this.clients.values()) this.safeSend(c, 'session', this.view(c.id));
  }

  private broadcast<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    for (const c of this.clients.values()) this.safeSend(c, event, payload);
  }

  private safeSend<E extends EventChannel>(c: HostClient, event: E, payload: EventPayload<E>): void {
    try {
      c.send(event, payload);
    } catch (err) {
      this.log.warn({ client: c.id, err: String(err) }, 'could not send to a window');
    }
  }
}

function liveMessage(setup: SetupStatus): string {
  const total = setup.servers.length;
  const down = setup.servers.filter((s) => s.result !== 'ready');
  if (down.length === 0) return `Live on all ${total} server${total === 1 ? '' : 's'}.`;
  return (
    `Live on ${total - down.length} of ${total} servers. Not ready: ` +
    down.map((s) => `${s.label} (${s.message})`).join('; ') +
    '. They join by themselves as soon as they answer.'
  );
}

function notLiveMessage(setup: SetupStatus, requireAll: boolean): string {
  const down = setup.servers.filter((s) => s.result !== 'ready');
  const list = down.map((s) => `${s.label}: ${s.message}`).join('; ');
  return requireAll ? `Not live: every server must be ready, and these are not: ${list}` : `Not live: no server is ready. ${list}`;
}
