// Fakes for presenter-layer tests: a LiveConnection that records what the services asked of it, and
// a PresenterWindow that records the events it received. No processes, no sockets.
import { Emitter } from '../../common/event.js';
import type { Cue, Json, NodeStats } from '../../common/control-protocol.js';
import { mergeQuestion, moderate, type ModerationAction } from '../../main/engine/control/qa/qa-draft.js';
import { exportCsv, exportJson } from '../../main/engine/control/qa/qa-export.js';
import { emptyQa, ordered, type MergedQuestion, type QaState } from '../../main/engine/control/qa/qa-state.js';
import { ControlPlane, type NodeStatsEvent, type WebcastResult } from '../../main/engine/control/control-plane.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import type { ControlStatus } from '../../common/streaming.js';

/**
 * The engine's control plane without sockets: the same pure Q&A merge/moderation and shared-object
 * rules (main/engine/control/qa/, common/shared-object.ts), recording what the presenter asked of it.
 */
export class FakeControl implements LiveControl {
  private qa: QaState = emptyQa(false);
  /** Shared objects go to a real ControlPlane without sessions: its own rules (size limit included). */
  private readonly plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  readonly cues: Cue[] = [];
  readonly moderations: ModerationAction[] = [];
  /** The webcast's phases the presenter announced, in order: countdown:3, begin:fresh|continue, end. */
  readonly webcast: string[] = [];
  private readonly _onQuestions = new Emitter<MergedQuestion[]>();
  readonly onQuestions = this._onQuestions.event;
  private readonly _onStatus = new Emitter<{ server: string; status: ControlStatus }>();
  readonly onStatus = this._onStatus.event;
  private readonly _onNodeStats = new Emitter<NodeStatsEvent>();
  readonly onNodeStats = this._onNodeStats.event;

  get qaState(): QaState {
    return this.qa;
  }

  moderate(a: ModerationAction): void {
    this.moderations.push(a);
    this.set(moderate(this.qa, a));
  }

  exportQa(format: 'csv' | 'json'): string {
    return format === 'csv' ? exportCsv(this.qa) : exportJson(this.qa);
  }

  setSo(name: string, slots: Record<string, Json>, isPublic = true): string[] {
    return this.plane.setSo(name, slots, isPublic);
  }

  getSo(name: string, slot: string): Json | undefined {
    return this.plane.getSo(name, slot);
  }

  so(name: string, slot: string): Json | undefined {
    return this.getSo(name, slot);
  }

  async countdown(seconds: number): Promise<WebcastResult[]> {
    this.webcast.push(`countdown:${seconds}`);
    return [];
  }

  async beginWebcast(o: { continueQa?: boolean } = {}): Promise<WebcastResult[]> {
    this.webcast.push(`begin:${o.continueQa ? 'continue' : 'fresh'}`);
    return [];
  }

  async endWebcast(): Promise<WebcastResult[]> {
    this.webcast.push('end');
    return [];
  }
  /** Set by a test to stand for the Q&A a fresh begin set aside. */
  previousExport: string | null = null;
  previousQaExport(): string | null {
    return this.previousExport;
  }


  dispose(): void {
    this.plane.dispose();
  }

  sendCue(kind: string, data: Json, streamTimeMs: number): Cue {
    const cue: Cue = { id: `cue-${this.cues.length + 1}`, streamTimeMs, kind, data };
    this.cues.push(cue);
    return cue;
  }

  /** A question as if a node had forwarded it. */
  ask(nodeId: string, q: { id: string; text: string; name?: string; votes?: number; askedAt?: number }): void {
    this.set(mergeQuestion(this.qa, nodeId, { id: q.id, text: q.text, ...(q.name ? { name: q.name } : {}), askedAt: q.askedAt ?? 1000, votes: q.votes ?? 0 }));
  }

  status(server: string, status: ControlStatus): void {
    this._onStatus.fire({ server, status });
  }

  /** A getStats answer as if the engine had polled the node (every 2 s in the real plane). */
  nodeStats(server: string, stats: Partial<NodeStats> = {}): void {
    this._onNodeStats.fire({
      server,
      stats: { nodeId: server, live: true, ingestBps: 0, fps: null, keyframeAgeMs: null, viewers: 0, controlViewers: 0, uptimeMs: 1000, ...stats },
    });
  }

  private set(next: QaState): void {
    if (next === this.qa) return;
    this.qa = next;
    this._onQuestions.fire(ordered(next));
  }
}
import type { EventChannel, EventPayload } from '../../common/ipc-contract.js';
import { SETUP_FAILED, SETUP_SUCCESS, type ServerConfig, type ServerSetupResult, type ServerSnapshot, type SetupResult, type SetupStatus } from '../../common/streaming.js';
import type { EncoderStatus } from '../../main/engine/encoder/encoder.js';
import type { SourceSpec } from '../../main/engine/encoder/source.js';
import type { ConnectionOptions, LiveConnection, LiveControl } from '../../main/presenter/live-connection.js';
import type { PublishOptions } from '../../main/engine/publish-options.js';
import type { RecordingStatus } from '../../main/engine/recording/recorder.js';
import type { EncoderRates } from '../../main/engine/uplink/uplink-controller.js';
import type { UplinkState } from '../../main/engine/uplink/uplink-loop.js';
import { Presenter, type PresenterDeps } from '../../main/presenter/presenter.js';
import type { PresenterWindow } from '../../main/presenter/window-registry.js';
import type { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { NoServerReadyError } from '../../main/engine/multi-connection.js';


export class FakeConnection implements LiveConnection {
  readonly sources: SourceSpec[] = [];
  readonly chunks: Buffer[] = [];
  servers: ServerConfig[] = [];
  stopped = 0;
  private readonly _onServerStatus = new Emitter<ServerSnapshot>();
  readonly onServerStatus = this._onServerStatus.event;
  private readonly _onEncoderStatus = new Emitter<EncoderStatus>();
  readonly onEncoderStatus = this._onEncoderStatus.event;
  private readonly _onUplink = new Emitter<UplinkState>();
  readonly onUplink = this._onUplink.event;
  private readonly _onRecording = new Emitter<RecordingStatus>();
  readonly onRecording = this._onRecording.event;
  private readonly _onVideoBitrate = new Emitter<number>();
  readonly onVideoBitrate = this._onVideoBitrate.event;
  /** What a test sets as the controller's reading, the recording's status and the encoder's rates. */
  uplinkState: UplinkState | null = null;
  recordingStatus: RecordingStatus | null = null;
  encoderRates: EncoderRates | null = { videoBps: 2_500_000, audioBps: 128_000 };
  /** What the session asked for when it made this engine (the uplink controller). */
  options: ConnectionOptions | null = null;
  /** The options of the last publish (the recording plan among them). */
  publishOptions: PublishOptions | null = null;
  private setup: SetupStatus | null = null;
  readonly control = new FakeControl();
  /** What the presenter asked of the engine while live: retries, added, removed and updated servers. */
  readonly calls: string[] = [];
  streamTimeMs = 1234;

  constructor(
    private readonly results: Record<string, SetupResult> = {},
    /** How long setup takes (the real one takes up to 3 s). */
    private readonly setupMs = 0,
  ) {}

  async connect(servers: ServerConfig[]): Promise<SetupStatus> {
    if (this.setupMs > 0) await new Promise((r) => setTimeout(r, this.setupMs));
    this.servers = servers;
    const list = servers.map((s) => ({ id: s.id, label: s.label ?? s.id, result: this.results[s.id] ?? 'ready', message: this.results[s.id] ?? 'ready', elapsedMs: 5 }));
    this.setup = { code: list.every((r) => r.result === 'ready') ? SETUP_SUCCESS : SETUP_FAILED, servers: list };
    return this.setup;
  }

  get setupStatus(): SetupStatus | null {
    return this.setup;
  }

  retry(id: string): void {
    this.calls.push(`retry:${id}`);
  }

  async addServer(server: ServerConfig): Promise<ServerSetupResult> {
    this.calls.push(`add:${server.id}`);
    this.servers = [...this.servers, server];
    const r: ServerSetupResult = { id: server.id, label: server.label ?? server.id, result: this.results[server.id] ?? 'ready', message: 'checked', elapsedMs: 5 };
    this.setup = { code: this.setup?.code ?? SETUP_SUCCESS, servers: [...(this.setup?.servers ?? []), r] };
    return r;
  }

  async removeServer(id: string): Promise<void> {
    this.calls.push(`remove:${id}`);
    this.servers = this.servers.filter((s) => s.id !== id);
    if (this.setup) this.setup = { ...this.setup, servers: this.setup.servers.filter((s) => s.id !== id) };
  }

  updateServer(id: string, server: ServerConfig): void {
    this.calls.push(`update:${id}:${server.url}`);
    this.servers = this.servers.map((s) => (s.id === id ? server : s));
  }

  async publish(source: SourceSpec, opts: PublishOptions = {}): Promise<void> {
    this.publishOptions = opts;
    const setup = this.setup!;
    const ready = setup.servers.filter((s) => s.result === 'ready').length;
    if (ready === 0 || (opts.requireAll && ready < setup.servers.length)) throw new NoServerReadyError(setup, !!opts.requireAll);
    this.sources.push(source);
  }

  async switchSource(source: SourceSpec): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    this.sources.push(source);
  }

  pushChunk(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  snapshots(): ServerSnapshot[] {
    return this.servers.map((s) => ({
      id: s.id,
      label: s.label ?? s.id,
      state: 'live',
      reason: null,
      message: 'Live',
      since: 0,
      nextAttemptAt: null,
      metrics: { bytesSent: 1, bitrateBps: 1000, uptimeMs: 1, reconnects: 0, droppedGops: 0, lastError: null },
    }));
  }

  /** An encoder status as if ffmpeg had started, restarted or failed. */
  encoderStatus(status: EncoderStatus): void {
    this._onEncoderStatus.fire(status);
  }

  /** The uplink controller's reading, the recording's status or the camera's bitrate, as the engine reports them. */
  uplink(state: UplinkState): void {
    this.uplinkState = state;
    this._onUplink.fire(state);
  }

  recording(status: RecordingStatus): void {
    this.recordingStatus = status;
    this._onRecording.fire(status);
  }

  videoBitrate(bps: number): void {
    this._onVideoBitrate.fire(bps);
  }

  /** A server's snapshot changed, as the engine reports it. */
  serverStatus(snapshot: ServerSnapshot): void {
    this._onServerStatus.fire(snapshot);
  }

  nsSend(kind: string, data: Json): Cue {
    return this.control.sendCue(kind, data, this.streamTimeMs);
  }

  async stop(): Promise<void> {
    this.stopped++;
    this.control.dispose();
  }
}

export class RecordingClient implements PresenterWindow {
  readonly events: Array<{ event: EventChannel; payload: unknown }> = [];
  constructor(readonly id: string) {}
  send<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    this.events.push({ event, payload });
  }
  last<E extends EventChannel>(event: E): EventPayload<E> | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.event === event) return this.events[i]!.payload as EventPayload<E>;
    return undefined;
  }
}

/**
 * The presenter layer on fake connections (one per Go Live, kept in `conns`), with no /metrics
 * polling unless `deps` brings its own poller; `deps` overrides any other dependency.
 */
export function fakePresenter(
  profile: PresenterProfile,
  deps: Partial<PresenterDeps> & { results?: Record<string, SetupResult>; setupMs?: number } = {},
): { presenter: Presenter; conns: FakeConnection[] } {
  const { results, setupMs, ...rest } = deps;
  const conns: FakeConnection[] = [];
  const presenter = new Presenter({
    profile,
    createConnection: (opts) => {
      const c = new FakeConnection(results, setupMs);
      c.options = opts;
      conns.push(c);
      return c;
    },
    slateImagePath: '/s.png',
    logger: silentLogger,
    mode: 'studio',
    version: 't',
    createStatsPoller: () => ({ start() {}, sample: () => ({ receivedBps: null, viewers: null }), dispose() {} }),
    ...rest,
  });
  return { presenter, conns };
}
