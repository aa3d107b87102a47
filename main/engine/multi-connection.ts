// MultiConnection: the 2004 article's idea done properly. One capture, one encoder, N servers:
// connect() probes every server in parallel within 3 s (NetConnection.Setup.Success / Failed),
// publish() starts the encoder and one relay per server (an RTMP publisher in this process, one
// socket each), and every relay is its own fault domain that re-joins by itself. The shell, the CLI and studio mode all drive this class.
import type { Cue, Json } from '../../common/control-protocol.js';
import { Emitter } from '../../common/event.js';
import type { IDisposable } from '../../common/lifecycle.js';
import { joinPublishUrl, maskPublishUrl } from '../../common/publish-url.js';
import {
  SETUP_FAILED,
  SETUP_SUCCESS,
  type ServerConfig,
  type ServerSetupResult,
  type ServerSnapshot,
  type SetupStatus,
  serverConfigSchema,
} from '../../common/streaming.js';
import { type Logger, silentLogger } from './base/logger.js';
import { InvalidStateError, NoServerReadyError } from './engine-errors.js';
import { ControlPlane, type CallResult, type ControlPlaneOptions } from './control/control-plane.js';
import type { EncoderStatus } from './encoder/encoder.js';
import { EncoderStage } from './encoder/encoder-stage.js';
import { type SourceSpec, sourceSpecSchema } from './encoder/source.js';
import { findFfmpeg } from './ffmpeg/find-ffmpeg.js';
import type { FlvHeader } from './flv/flv-parser.js';
import { JoinCache } from './flv/join-cache.js';
import { type GopDrop, Relay, type RelayOptions } from './relay/relay.js';
import { Recorder, type RecordingStatus } from './recording/recorder.js';
import { probeRtmp } from './rtmp/rtmp-probe.js';
import type { EncoderRates } from './uplink/uplink-controller.js';
import { UplinkLoop, type UplinkLoopOptions, type UplinkState } from './uplink/uplink-loop.js';

export interface MultiConnectionDeps {
  logger?: Logger;
  /** Path to ffmpeg; found with findFfmpeg() when omitted. */
  ffmpegPath?: string;
  /** Electron's resourcesPath, for a bundled ffmpeg. */
  resourcesPath?: string;
  now?: () => number;
  /** Overrides for every relay (timeouts, backoff, backlog, RTMPS trust). */
  relay?: Partial<Omit<RelayOptions, 'id' | 'url' | 'label' | 'logger'>>;
  /** Control-plane options (stats polling, heartbeat). */
  control?: Omit<ControlPlaneOptions, 'logger'>;
  /**
   * The uplink controller (issue #12), run when given (options may be empty). The presenter app
   * always passes it (LiveSession); bench:uplink runs with and without it to compare.
   */
  uplink?: UplinkLoopOptions;
}

import type { ConnectOptions, PublishOptions } from './publish-options.js';
export type { ConnectOptions, PublishOptions };
export { InvalidStateError, NoServerReadyError } from './engine-errors.js';

/**
 * The setup check for each server, in parallel within `timeoutMs`: TCP (or TLS), the RTMP handshake
 * and connect(app). It stops before publish, so it never takes a stream name from a live encoder and
 * never sends the key: "ready" means reachable, and only a publish proves the key.
 */
export async function checkServers(servers: readonly ServerConfig[], timeoutMs = 3000): Promise<ServerSetupResult[]> {
  return Promise.all(
    servers.map(async (s): Promise<ServerSetupResult> => {
      const out = await probeRtmp(publishUrl(s), { timeoutMs });
      return { id: s.id, label: s.label ?? maskPublishUrl(s.url), result: out.result, message: out.message, elapsedMs: out.elapsedMs };
    }),
  );
}

/** The full publish URL: the stream key, when given apart, is joined by the one rule in common/. */
export function publishUrl(server: ServerConfig): string {
  return joinPublishUrl(server.url, server.streamKey);
}

export class MultiConnection implements IDisposable {
  private readonly log: Logger;
  private readonly ffmpegPath: string;
  private servers: ServerConfig[] = [];
  private setup: SetupStatus | null = null;
  private readonly cache = new JoinCache();
  private readonly relays = new Map<string, Relay>();
  private encoder: EncoderStage | null = null;
  private uplink: UplinkLoop | null = null;
  private recorder: Recorder | null = null;
  private lastHeader: FlvHeader | null = null;
  private stopPromise: Promise<void> | null = null;
  private live = false;
  /** Timestamp (ms) of the last FLV tag the encoder produced: the seed's nsTime. */
  private streamTimeMs = 0;
  /** Control sessions to every Tandem node: shared objects, remote calls, cues, merged Q&A. */
  readonly control: ControlPlane;

  /** Seed-style aggregate status: NetConnection.Setup.Success / Failed with per-server results. */
  private readonly _onStatus = new Emitter<SetupStatus>();
  readonly onStatus = this._onStatus.event;
  /** A server's state, reason or message changed. */
  private readonly _onServerStatus = new Emitter<ServerSnapshot>();
  readonly onServerStatus = this._onServerStatus.event;
  private readonly _onEncoderStatus = new Emitter<EncoderStatus>();
  readonly onEncoderStatus = this._onEncoderStatus.event;
  private readonly _onDrop = new Emitter<GopDrop>();
  readonly onDrop = this._onDrop.event;
  private readonly _onUplink = new Emitter<UplinkState>();
  /** The uplink controller's step, verdict or paused servers changed. */
  readonly onUplink = this._onUplink.event;
  private readonly _onRecording = new Emitter<RecordingStatus>();
  readonly onRecording = this._onRecording.event;
  private readonly _onVideoBitrate = new Emitter<number>();
  /** The camera's encoder should take this video bitrate (bits/s): the upload cannot carry more. */
  readonly onVideoBitrate = this._onVideoBitrate.event;

  constructor(private readonly deps: MultiConnectionDeps = {}) {
    this.log = deps.logger ?? silentLogger;
    this.ffmpegPath = deps.ffmpegPath ?? findFfmpeg(deps.resourcesPath ? { resourcesPath: deps.resourcesPath } : {});
    this.control = new ControlPlane({ ...deps.control, logger: this.log });
  }

  get isLive(): boolean {
    return this.live;
  }

  get setupStatus(): SetupStatus | null {
    return this.setup;
  }

  get uplinkState(): UplinkState | null {
    return this.uplink?.state ?? null;
  }

  /** The running encoder's full rates (what the uplink ladder scales); null when nothing adapts. */
  get encoderRates(): EncoderRates | null {
    return this.encoder?.rates() ?? null;
  }

  get recordingStatus(): RecordingStatus | null {
    return this.recorder?.status() ?? null;
  }

  /** Probes every server in parallel: TCP, RTMP handshake and connect(app), within the window. */
  async connect(servers: unknown[], opts: ConnectOptions = {}): Promise<SetupStatus> {
    if (this.live) throw new InvalidStateError('Already live: stop before changing servers');
    const parsed = servers.map((s) => serverConfigSchema.parse(s));
    const ids = new Set<string>();
    for (const s of parsed) {
      if (ids.has(s.id)) throw new InvalidStateError(`Two servers share the id "${s.id}"`);
      ids.add(s.id);
    }
    if (parsed.length === 0) throw new InvalidStateError('Add at least one server');
    this.servers = parsed;
    const timeoutMs = opts.timeoutMs ?? 3000;
    // Control sessions open in the same window as the RTMP probes.
    this.control.setServers(parsed);
    const controlReady = this.control.connect(timeoutMs);
    const probed = await checkServers(parsed, timeoutMs);
    const control = await controlReady;
    const results = probed.map((r) => ({ ...r, control: control.get(r.id) ?? this.control.statusOf(r.id) }));
    const status: SetupStatus = {
      code: results.every((r) => r.result === 'ready') ? SETUP_SUCCESS : SETUP_FAILED,
      servers: results,
    };
    this.setup = status;
    this.log.info({ code: status.code, servers: results.map((r) => ({ id: r.id, result: r.result, ms: r.elapsedMs })) }, 'setup finished');
    this._onStatus.fire(status);
    return status;
  }

  /**
   * Starts the encoder and a relay per server. Servers that failed setup start reconnecting in
   * the background and join when they come up.
   */
  async publish(source: SourceSpec, opts: PublishOptions = {}): Promise<void> {
    if (this.live) throw new InvalidStateError('Already live');
    if (this.stopPromise) throw new InvalidStateError('This connection was stopped; create a new one');
    const setup = this.setup;
    if (!setup) throw new InvalidStateError('Call connect() before publish()');
    const ready = setup.servers.filter((s) => s.result === 'ready').length;
    if (ready === 0 || (opts.requireAll && ready < setup.servers.length)) throw new NoServerReadyError(setup, !!opts.requireAll);
    const resolved = sourceSpecSchema.parse(source);
    this.live = true;
    for (const server of this.servers) this.createRelay(server);
    if (opts.recording) {
      this.recorder = new Recorder({ ...opts.recording, ffmpegPath: this.ffmpegPath, logger: this.log.child({ part: 'recording' }) });
      this.recorder.onStatus((st) => this._onRecording.fire(st));
    }
    this.startEncoder(resolved);
    for (const relay of this.relays.values()) relay.start();
    if (this.deps.uplink) this.startUplink(this.deps.uplink);
  }

  /**
   * Switches the source while live (e.g. camera → slate): relays keep their sessions and timelines,
   * and between generated sources the new encoder is running before the old one stops.
   */
  async switchSource(source: SourceSpec): Promise<void> {
    if (!this.live || this.stopPromise || !this.encoder) throw new InvalidStateError('Not live');
    return this.encoder.switchSource(sourceSpecSchema.parse(source));
  }

  /** Media chunks (Matroska/WebM) for a `chunks` source. Returns false when input backs up. */
  pushChunk(chunk: Buffer): boolean {
    return this.encoder?.push(chunk) ?? false;
  }

  snapshots(): ServerSnapshot[] {
    return [...this.relays.values()].map((r) => ({ ...r.snapshot(), control: this.control.statusOf(r.id) }));
  }

  /** Seed API: writes a slot of a shared object on every node. */
  setSoValue(name: string, slot: string, value: Json, isPublic = true): void {
    this.control.setSo(name, { [slot]: value }, isPublic);
  }

  getSoValue(name: string, slot: string): Json | undefined {
    return this.control.getSo(name, slot);
  }

  /** Seed API: calls a server function on one server (by id) or all (server undefined). */
  async callRemote(fn: string, callback: ((results: CallResult[]) => void) | null, server?: string, args: Json[] = [], timeoutMs?: number): Promise<CallResult[]> {
    const results = await this.control.callRemote(fn, args, { ...(server ? { server } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
    callback?.(results);
    return results;
  }

  /**
   * Seed API: in-stream data to every node and its viewers, stamped with the current stream time
   * (or `atStreamTimeMs`, on the nsTime() clock, to cue a moment shortly ahead). Each server gets the
   * time on its own relay's timeline, so viewers on every server apply it at the same frame.
   */
  nsSend(kind: string, data: Json, atStreamTimeMs: number = this.nsTime()): Cue {
    const now = this.nsTime();
    return this.control.sendCue(kind, data, atStreamTimeMs, (id) => this.relays.get(id)?.timelineAt(atStreamTimeMs, now) ?? atStreamTimeMs);
  }

  /** Seed API: the stream time (ms) of the last tag sent. */
  nsTime(): number {
    return this.streamTimeMs;
  }

  /**
   * Publishes to server `id` again now, with its backoff and refusal count reset: the presenter's
   * answer to a refused key (the engine stops retrying after three refusals in a row). `change`
   * gives an edited URL or stream key. A live server is dropped and re-joined.
   */
  retry(id: string, change?: { url?: string; streamKey?: string }): void {
    const relay = this.relays.get(id);
    const index = this.servers.findIndex((s) => s.id === id);
    if (!relay || index < 0) throw new InvalidStateError(`No server "${id}" is live`);
    if (change) {
      const server = serverConfigSchema.parse({ ...this.servers[index], ...change });
      this.servers[index] = server;
      relay.retry(publishUrl(server));
    } else {
      relay.retry();
    }
  }

  /**
   * While live: a new server joins the running webcast. It gets the setup check first (its result
   * joins the setup status), then its own relay, which starts from the join cache (metadata,
   * sequence headers, the current GOP); no other relay is touched. A server that is not reachable
   * yet still gets its relay, which re-joins by itself like any other. Resolves with its check.
   * A Tandem node gets its control session at once: the webcast, shared objects and Q&A reach it.
   */
  async addServer(config: unknown, opts: ConnectOptions = {}): Promise<ServerSetupResult> {
    if (!this.live || this.stopPromise) throw new InvalidStateError('Not live: add servers before going live, or go live first');
    const server = serverConfigSchema.parse(config);
    if (this.servers.some((s) => s.id === server.id)) throw new InvalidStateError(`Two servers share the id "${server.id}"`);
    // Taken before the check, so a second add of the same id while this one probes is refused.
    this.servers.push(server);
    this.control.addServer(server);
    const [result] = await checkServers([server], opts.timeoutMs ?? 3000);
    const checked: ServerSetupResult = { ...(result as ServerSetupResult), control: this.control.statusOf(server.id) };
    if (!this.servers.includes(server) || this.stopPromise) return checked; // removed or stopped meanwhile
    this.setSetupResult(checked);
    const relay = this.createRelay(server);
    relay.start();
    this.log.info({ server: server.id, result: checked.result }, 'server added while live');
    return checked;
  }

  /** While live: one server stops (unpublishes politely) and leaves; the others never notice. */
  async removeServer(id: string): Promise<void> {
    const index = this.servers.findIndex((s) => s.id === id);
    if (index < 0) throw new InvalidStateError(`There is no server "${id}"`);
    this.servers.splice(index, 1);
    if (this.setup) this.setup = { ...this.setup, servers: this.setup.servers.filter((s) => s.id !== id) };
    const relay = this.relays.get(id);
    this.relays.delete(id);
    this.control.removeServer(id);
    this.log.info({ server: id }, 'server removed while live');
    await relay?.stop();
  }

  /**
   * While live: a server's edited URL, key or label takes effect on that server only (its relay
   * re-joins with it); an edited control URL or token opens that node's control session anew.
   */
  updateServer(id: string, config: unknown): void {
    const index = this.servers.findIndex((s) => s.id === id);
    const relay = this.relays.get(id);
    if (index < 0 || !relay) throw new InvalidStateError(`No server "${id}" is live`);
    const before = this.servers[index]!;
    const server = serverConfigSchema.parse({ ...(config as object), id });
    this.servers[index] = server;
    if (server.controlUrl !== before.controlUrl || server.controlToken !== before.controlToken) this.control.addServer(server);
    // A live server keeps its session through a new name; anything else (a new key, or a refused one saved again) tries now.
    if (publishUrl(server) !== publishUrl(before) || relay.currentState !== 'live') relay.retry(publishUrl(server));
  }

  /** Stops everything; resolves when every child process has exited. Safe to call twice. */
  stop(): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    this.stopPromise = (async () => {
      const encoder = this.encoder;
      this.encoder = null;
      this.uplink?.dispose();
      await Promise.all([encoder?.stop(), this.recorder?.stop(), ...[...this.relays.values()].map((r) => r.stop())]);
      this.live = false;
      this.control.dispose();
      this._onStatus.dispose();
      this._onServerStatus.dispose();
      this._onEncoderStatus.dispose();
      this._onDrop.dispose();
      this._onUplink.dispose();
      this._onRecording.dispose();
      this._onVideoBitrate.dispose();
    })();
    return this.stopPromise;
  }

  dispose(): void {
    void this.stop();
  }

  private createRelay(server: ServerConfig): Relay {
    const relay = new Relay(
      {
        ...this.deps.relay,
        id: server.id,
        url: publishUrl(server),
        label: server.label ?? maskPublishUrl(server.url),
        logger: this.log,
        ...(this.deps.now ? { now: this.deps.now } : {}),
      },
      this.cache,
    );
    relay.onChange((snap) => {
      // A removed server's last words (its polite stop) are not news to anyone.
      if (this.relays.get(snap.id) === relay) this._onServerStatus.fire({ ...snap, control: this.control.statusOf(snap.id) });
    });
    relay.onDrop((d) => this._onDrop.fire(d));
    this.relays.set(server.id, relay);
    return relay;
  }

  private setSetupResult(result: ServerSetupResult): void {
    const servers = [...(this.setup?.servers ?? []).filter((s) => s.id !== result.id), result];
    this.setup = { code: servers.every((r) => r.result === 'ready') ? SETUP_SUCCESS : SETUP_FAILED, servers };
    this._onStatus.fire(this.setup);
  }

  private startEncoder(source: SourceSpec & { kind: string }): void {
    const encoder = new EncoderStage(this.ffmpegPath, this.log.child({ part: 'encoder' }), {
      onStatus: (s) => this._onEncoderStatus.fire(s),
      onHeader: (h) => {
        const changed = this.lastHeader !== null && (this.lastHeader.hasAudio !== h.hasAudio || this.lastHeader.hasVideo !== h.hasVideo);
        this.lastHeader = h;
        this.cache.newStream(h);
        this.recorder?.onHeader(h);
        for (const r of this.relays.values()) r.onNewStream(h, changed);
      },
      onTag: (t) => {
        this.streamTimeMs = t.timestamp;
        this.cache.push(t);
        this.recorder?.onTag(t);
        for (const r of this.relays.values()) r.write(t);
      },
    });
    encoder.onVideoBitrate((bps) => this._onVideoBitrate.fire(bps));
    this.encoder = encoder;
    encoder.start(sourceSpecSchema.parse(source));
  }

  /** The uplink controller: bends the encoder (or pauses servers) when the upload cannot carry them all. */
  private startUplink(options: UplinkLoopOptions): void {
    const uplink = new UplinkLoop(
      {
        snapshots: () => this.snapshots(),
        encoderRates: () => this.encoder?.rates() ?? null,
        setVideoFraction: (f) => this.encoder?.setVideoFraction(f),
        pauseServer: (id, reason) => this.relays.get(id)?.pause(`Paused: ${reason.replace(/^paused: /, '')}`),
        resumeServer: (id) => this.relays.get(id)?.resume(),
      },
      options,
    );
    uplink.onChange((st) => this._onUplink.fire(st));
    this.uplink = uplink;
  }
}
