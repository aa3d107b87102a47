// The supervisor's typed adapter over the media core: node-media-server in its own child process (its
// config is process-wide), restarted when it dies, or with `inProcess` in the node's own process (no
// child, no restart); its messages (media-protocol.ts) become typed events either way.
// Nothing outside app/media/ knows the media core is node-media-server.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Emitter } from '../../common/event.js';
import type { IDisposable as Disposable } from '../../common/lifecycle.js';
import type { Logger } from '../logger.js';
import { canConnect } from '../../common/tcp-probe.js';
import { freeLoopbackPort } from '../loopback.js';
import { MEDIA_CHILD_ENTRY, adoptEarlyMediaChild, forkMediaChild } from './media-child-fork.js';
import { fromChildSchema, type FromChild, type ToChild, type ViewerProtocol, type PublishRejection } from './media-protocol.js';
import { childTransport, type MediaTransport } from './media-transport.js';
import { StreamRates } from './stream-rates.js';


export type MediaCoreState = 'starting' | 'up' | 'down' | 'stopped';

export interface MediaCoreOptions {
  secret: string;
  graceMs: number;
  takeoverIdleMs: number;
  nodeId: string;
  logLevel: string;
  log: Logger;
  /** Run node-media-server in this process instead of a child (`--media-in-process`): nothing is spawned. */
  inProcess?: boolean;
}

export interface PublishEvent { id: string; stream: string; takeover: boolean }
export interface PlayEvent { id: string; stream: string; protocol: ViewerProtocol }
export interface MediaStats { live: string[]; publishers: number; viewers: Record<ViewerProtocol, number> }
/** Media bytes moved by the core, summed over its restarts. */
export interface MediaBytes { in: number; out: number }

const EMPTY_STATS: MediaStats = { live: [], publishers: 0, viewers: { rtmp: 0, 'http-flv': 0, 'ws-flv': 0 } };
const READY_TIMEOUT_MS = 20_000;
/**
 * Viewers waiting to be handed over before further ones are relayed. A relayed viewer costs the
 * supervisor a copy of every byte for as long as it watches, while a waiting one costs a round trip
 * to the child per viewer ahead of it (a fraction of a millisecond when the child is not flushing):
 * 1,024 is a few seconds' wait in a storm, where 64 sent half of a 100-per-second ramp to the relay.
 */
const MAX_HANDOFFS_IN_FLIGHT = 1024;

/** The media core cannot run on this install (its message says why and what to do): not retried. */
export class MediaCoreUnusableError extends Error {
  override readonly name = 'MediaCoreUnusableError';
}

export class MediaCore implements Disposable {
  private child: MediaTransport | null = null;
  /** Why the media core cannot run here, once its child said so. */
  private unusable: string | null = null;
  /** Why an in-process core is down for good (it is not restarted), in words. */
  private failure: string | null = null;
  private ports: { rtmp: number; http: number } | null = null;
  private _state: MediaCoreState = 'down';
  private _stats: MediaStats = EMPTY_STATS;
  private restartTimer: NodeJS.Timeout | null = null;
  private readyTimer: NodeJS.Timeout | null = null;
  private backoffMs = 250;
  private upSince = 0;
  private nonce = 0;
  /** Pending pings: true when the child answers, false when it exits first (a gone child is not healthy). */
  private readonly pongs = new Map<number, (answered: boolean) => void>();
  private handoffsInFlight = 0;
  /** WebSocket viewers handed to the media core, and those relayed because the hand-over queue was full. */
  readonly handoffs = { adopted: 0, relayed: 0 };
  private bytesBase: MediaBytes = { in: 0, out: 0 };
  private bytesChild: MediaBytes = { in: 0, out: 0 };
  private stopping: Promise<void> | null = null;
  private readonly streamRates = new StreamRates();

  private readonly _onState = new Emitter<MediaCoreState>();
  private readonly _onPublishStart = new Emitter<PublishEvent>();
  private readonly _onPublishStop = new Emitter<{ id: string; stream: string }>();
  private readonly _onPublishRejected = new Emitter<{ stream: string; code: PublishRejection }>();
  private readonly _onPlayStart = new Emitter<PlayEvent>();
  private readonly _onPlayStop = new Emitter<PlayEvent>();
  private readonly _onViewersExpired = new Emitter<{ stream: string; count: number }>();
  private readonly _onStats = new Emitter<MediaStats>();
  readonly onState = this._onState.event;
  readonly onPublishStart = this._onPublishStart.event;
  readonly onPublishStop = this._onPublishStop.event;
  readonly onPublishRejected = this._onPublishRejected.event;
  readonly onPlayStart = this._onPlayStart.event;
  readonly onPlayStop = this._onPlayStop.event;
  readonly onViewersExpired = this._onViewersExpired.event;
  readonly onStats = this._onStats.event;

  constructor(private readonly o: MediaCoreOptions) {}

  get state(): MediaCoreState {
    return this._state;
  }

  /** Latest counts from the child; zeros while it is down (its sessions died with it). */
  get stats(): MediaStats {
    return this._state === 'up' ? this._stats : EMPTY_STATS;
  }

  /** Query value that marks the node's own loopback readers, so they are never counted as viewers. */
  readonly internalPlayToken = randomBytes(16).toString('hex');

  /** Loopback ports of the running child, or null while it is not up. */
  get internalPorts(): { rtmp: number; http: number } | null {
    return this._state === 'up' ? this.ports : null;
  }

  /**
   * Bits per second this core receives of one stream from its publisher (over the child's last stats
   * interval, about a second): only that stream's media, not other streams' or viewers' traffic.
   * 0 when nothing is published there or the core is down.
   */
  ingestBps(stream: string): number {
    return this._state === 'up' ? this.streamRates.of(stream) : 0;
  }

  get bytes(): MediaBytes {
    return { in: this.bytesBase.in + this.bytesChild.in, out: this.bytesBase.out + this.bytesChild.out };
  }

  /**
   * Hands a viewer's socket (its WebSocket handshake request already read) to the media core, which
   * then serves it directly: the supervisor stays out of the per-frame path. Node passes one handle
   * per round trip to the child, so in a connection storm (a failed node's viewers all arriving at
   * once) the queue is capped and false tells the caller to relay this viewer instead.
   */
  adoptWebSocket(socket: Socket, path: string, headers: Record<string, string>, head: Buffer): boolean {
    const child = this.child;
    if (this._state !== 'up' || !child?.connected) return false;
    if (this.handoffsInFlight >= MAX_HANDOFFS_IN_FLIGHT) {
      this.handoffs.relayed++;
      return false;
    }
    this.handoffsInFlight++;
    this.handoffs.adopted++;
    child.send({ type: 'adopt-ws', path, headers, head: head.toString('base64') } satisfies ToChild, socket, (err) => {
      this.handoffsInFlight--;
      if (err) {
        this.o.log.warn({ err: String(err) }, 'could not hand a viewer to the media core');
        socket.destroy();
      }
    });
    return true;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child; resolves once it serves the first time, rejects if it cannot within 20 s. */
  start(): Promise<void> {
    if (this._state !== 'down') return Promise.resolve();
    if (!this.o.inProcess && !existsSync(MEDIA_CHILD_ENTRY)) return Promise.reject(new MediaCoreUnusableError(`the media core is not built (${MEDIA_CHILD_ENTRY} is missing): run \`npm run build\` first`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error('the media core did not come up within 20 s'));
      }, READY_TIMEOUT_MS);
      const sub = this.onState((s) => {
        // An in-process core that went down stays down: no restart will bring it up.
        if (s !== 'up' && s !== 'stopped' && !(s === 'down' && this.failure)) return;
        clearTimeout(timer);
        sub.dispose();
        if (s === 'up') resolve();
        else if (this.unusable) reject(new MediaCoreUnusableError(this.unusable));
        else if (this.failure) reject(new Error(this.failure));
        else reject(new Error('stopped before the media core came up'));
      });
      this.launch();
    });
  }

  /** A real check: the child answers over IPC and its HTTP listener accepts TCP, within timeoutMs. */
  async check(timeoutMs = 1000): Promise<boolean> {
    const child = this.child;
    const ports = this.internalPorts;
    if (!child || !ports || !child.connected) return false;
    const nonce = ++this.nonce;
    const pong = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.pongs.delete(nonce);
        resolve(false);
      }, timeoutMs);
      this.pongs.set(nonce, (answered) => {
        clearTimeout(timer);
        resolve(answered);
      });
    });
    this.post({ type: 'ping', nonce });
    const [ipc, tcp] = await Promise.all([pong, canConnect('127.0.0.1', ports.http, timeoutMs)]);
    return ipc && tcp;
  }

  /** Idempotent; resolves once the child has exited. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  dispose(): void {
    this.stop().catch((err: unknown) => this.o.log.error({ err: String(err) }, 'media core stop failed'));
  }

  private async doStop(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.readyTimer) clearTimeout(this.readyTimer);
    const child = this.child;
    this.setState('stopped');
    if (child?.running) {
      const exited = new Promise<void>((r) => child.onExit(() => r()));
      this.post({ type: 'stop' });
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    for (const e of [this._onState, this._onPublishStart, this._onPublishStop, this._onPublishRejected, this._onPlayStart, this._onPlayStop, this._onViewersExpired, this._onStats]) {
      e.dispose();
    }
  }

  private setState(s: MediaCoreState): void {
    if (this._state === s || this._state === 'stopped') return;
    this._state = s;
    this.o.log.info({ mediaCore: s }, 'media core state');
    this._onState.fire(s);
  }

  private post(msg: ToChild): void {
    const child = this.child;
    if (child?.connected) child.send(msg, undefined, (err) => err && this.o.log.debug({ err: String(err) }, 'ipc send failed'));
  }

  /**
   * Starts a child, never leaving a rejection behind (an unhandled one would end the node): a start
   * that fails before a child exists (no free port, fork refused) is retried with backoff like a crash.
   */
  private launch(): void {
    this.spawn().catch((err: unknown) => {
      if (this._state === 'stopped') return;
      if (this.o.inProcess && !this.child) {
        this.failure = `the in-process media core could not start: ${String(err)}`;
        this.o.log.error(this.failure);
        this.setState('down');
        return;
      }
      this.o.log.error({ err: String(err) }, 'could not start the media core; retrying');
      // A child that exists restarts through its own exit.
      if (this.child) {
        this.child.kill('SIGKILL');
        return;
      }
      this.setState('down');
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    // Back off when it keeps dying quickly, so a broken install does not spin the CPU.
    if (this.upSince && Date.now() - this.upSince > 10_000) this.backoffMs = 250;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 5000);
    this.upSince = 0;
    this.restartTimer = setTimeout(() => this.launch(), delay);
  }

  private async spawn(): Promise<void> {
    if (this._state === 'stopped') return;
    this.setState('starting');
    const ports = { rtmp: await freeLoopbackPort(), http: await freeLoopbackPort() };
    if (this.stopping) return;
    this.ports = ports;
    const child = await this.open();
    if (this.stopping) return child.kill('SIGKILL');
    this.child = child;
    child.onMessage((raw) => this.onMessage(child, raw));
    child.onExit((code, signal) => this.onExit(child, code, signal));
    child.onError((err) => this.o.log.error({ err: String(err) }, 'media core process error'));
    // A child that never says ready (wedged start) is killed and retried like one that crashed.
    this.readyTimer = setTimeout(() => {
      if (this.child === child && this._state === 'starting') child.kill('SIGKILL');
    }, READY_TIMEOUT_MS);
    this.post({
      type: 'configure',
      config: {
        rtmpPort: ports.rtmp,
        httpPort: ports.http,
        secret: this.o.secret,
        graceMs: this.o.graceMs,
        takeoverIdleMs: this.o.takeoverIdleMs,
        storeDir: path.join(tmpdir(), `tandem-media-${process.pid}-${ports.http}`),
        logLevel: this.o.logLevel,
        nodeId: this.o.nodeId,
        internalPlayToken: this.internalPlayToken,
      },
    });
  }

  /** The first start takes the child the node forked ahead of its own loading, if there is one. */
  private async open(): Promise<MediaTransport> {
    const early = adoptEarlyMediaChild();
    if (!this.o.inProcess) return childTransport(early ?? forkMediaChild());
    // Started by a command line the entry could not read (a config file): it goes unused.
    early?.kill('SIGKILL');
    const { inProcessTransport } = await import('./media-in-process.js');
    return inProcessTransport();
  }

  private onExit(child: MediaTransport, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.readyTimer) clearTimeout(this.readyTimer);
    for (const done of this.pongs.values()) done(false);
    this.pongs.clear();
    this._stats = EMPTY_STATS;
    this.handoffsInFlight = 0;
    // The dead child's counts are final; the next child counts from zero.
    this.bytesBase = this.bytes;
    this.bytesChild = { in: 0, out: 0 };
    this.streamRates.reset();
    if (this._state === 'stopped') return;
    if (this.unusable) {
      this.o.log.error({ reason: this.unusable }, 'media core cannot run on this install');
      this.setState('stopped');
      return;
    }
    if (!child.restartable) {
      this.failure = `the in-process media core stopped (exit code ${code ?? signal}); the node serves no media until it is restarted (its errors are above)`;
      this.o.log.error({ code, signal }, this.failure);
      this.setState('down');
      return;
    }
    this.o.log.error({ code, signal }, 'media core exited; restarting');
    this.setState('down');
    this.scheduleRestart();
  }

  private onMessage(child: MediaTransport, raw: unknown): void {
    if (this.child !== child) return;
    const parsed = fromChildSchema.safeParse(raw);
    if (!parsed.success) {
      this.o.log.warn('media core sent an off-contract message');
      return;
    }
    const m: FromChild = parsed.data;
    switch (m.type) {
      case 'ready':
        if (this.readyTimer) clearTimeout(this.readyTimer);
        this.upSince = Date.now();
        this.setState('up');
        break;
      case 'loaded':
        break; // what a spare waits for (media-child-fork.ts); nothing to do here
      case 'incompatible':
        this.unusable = m.message;
        break;
      case 'pong':
        this.pongs.get(m.nonce)?.(true);
        this.pongs.delete(m.nonce);
        break;
      case 'publish-start':
        this._onPublishStart.fire({ id: m.id, stream: m.stream, takeover: m.takeover });
        break;
      case 'publish-stop':
        this._onPublishStop.fire({ id: m.id, stream: m.stream });
        break;
      case 'publish-rejected':
        this._onPublishRejected.fire({ stream: m.stream, code: m.code });
        break;
      case 'play-start':
        this._onPlayStart.fire({ id: m.id, stream: m.stream, protocol: m.protocol });
        break;
      case 'play-stop':
        this._onPlayStop.fire({ id: m.id, stream: m.stream, protocol: m.protocol });
        break;
      case 'viewers-expired':
        this._onViewersExpired.fire({ stream: m.stream, count: m.count });
        break;
      case 'stats':
        this._stats = { live: m.live, publishers: m.publishers, viewers: m.viewers };
        this.bytesChild = { in: m.bytesIn, out: m.bytesOut };
        this.streamRates.update(m.streamBytesIn);
        this._onStats.fire(this._stats);
        break;
    }
  }
}
