// The media core's logic: node-media-server on loopback ports, with Tandem's rules around it (signed
// publishes, publisher takeover, viewer grace), driven by the supervisor's messages (media-protocol.ts)
// over a port. The port is the media child's IPC channel (media-child.ts, its own process) or a direct
// hand-over in the node's process (media-in-process.ts, `--media-in-process`): the same code either way.
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { verifyPublishSignature, isValidStreamName, PUBLISH_APP } from '../../common/publish-auth.js';
import { redactText } from '../../common/redact.js';
import { waitConnectable } from '../../common/tcp-probe.js';
import { createLogger, type Logger } from '../logger.js';
import { CoalescingWebSocket } from './coalescing-websocket.js';
import { fromChildSchema, toChildSchema, type FromChild, type MediaChildConfig, type ViewerProtocol } from './media-protocol.js';
import { NmsBridge, destroySession, endRefusedSession, loadNms, tellPublishRefused, evictPublisher, keepContinuousTimeline, onSessionClosed, routeNmsLog, transportOf, type NmsSession } from './nms-bridge.js';
import { NmsIncompatibleError } from './nms-internals.js';
import { acknowledgeReads } from './rtmp-acks.js';

/** How the media core talks to its supervisor: a process's IPC channel, or a direct call in-process. */
export interface MediaPort {
  /** One message to the supervisor; `then` once it is on its way (so an exit after it loses nothing). */
  send(msg: FromChild, then?: () => void): void;
  /** The media core has ended (stopped, failed to start, cannot run here) with this exit code. */
  exit(code: number): void;
}

const MONITOR_MS = 200;
const STATS_MS = 1000;
/** How long a refused publisher's connection stays half-closed so the refusal reaches it (endRefusedSession). */
const REFUSED_LINGER_MS = 1000;

interface Publisher {
  session: NmsSession;
  stream: string;
  lastBytes: number;
  lastMediaAt: number;
  open: boolean;
}

interface Viewer {
  session: NmsSession;
  stream: string;
  protocol: ViewerProtocol;
  since: number;
}

async function waitListening(port: number, timeoutMs: number): Promise<void> {
  if (!(await waitConnectable('127.0.0.1', port, timeoutMs))) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}

class MediaService {
  private readonly publishers = new Map<string, Publisher>();
  private readonly viewers = new Map<string, Viewer>();
  private readonly lastMediaByStream = new Map<string, number>();
  private readonly rejected = new Set<string>();
  private readonly takeovers = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, WebSocket: CoalescingWebSocket });
  /** Bytes of sessions that have ended; live sessions are added when stats are sent. */
  private closedBytes = { in: 0, out: 0 };
  /** Per stream: bytes received from its publishers whose sessions have ended. */
  private readonly closedStreamBytes = new Map<string, number>();
  private stopped = false;

  constructor(private readonly cfg: MediaChildConfig, private readonly log: Logger, private readonly nms: NmsBridge, private readonly port: MediaPort) {}

  private send(msg: FromChild): void {
    // Validate our own output too: the supervisor drops anything off-contract anyway.
    this.port.send(fromChildSchema.parse(msg));
  }

  async start(): Promise<void> {
    this.nms.on('prePublish', (s) => this.onPrePublish(s));
    this.nms.on('postPublish', (s) => this.onPostPublish(s));
    this.nms.on('prePlay', (s) => this.onPrePlay(s));
    this.nms.on('postPlay', (s) => this.onPostPlay(s));
    await this.nms.run();
    await Promise.all([waitListening(this.cfg.rtmpPort, 10_000), waitListening(this.cfg.httpPort, 10_000)]);
    this.timers.push(setInterval(() => this.monitor(), MONITOR_MS), setInterval(() => this.sendStats(), STATS_MS));
    this.send({ type: 'ready', rtmpPort: this.cfg.rtmpPort, httpPort: this.cfg.httpPort });
    this.sendStats();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.nms.stop().catch(() => undefined);
  }

  /** A viewer's socket handed over by the supervisor: finish the WebSocket handshake, then play. */
  adoptWebSocket(path: string, headers: Record<string, string>, head: Buffer, socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    const req = { method: 'GET' as const, url: path, headers, socket };
    this.wss.handleUpgrade(req as unknown as IncomingMessage, socket, head, (ws) => {
      if (this.stopped) return ws.terminate();
      (ws as CoalescingWebSocket).useSocket(socket);
      this.nms.playWebSocket(req, ws);
    });
  }

  private reject(s: NmsSession, code: 'missing' | 'malformed' | 'expired' | 'bad-path' | 'bad-signature' | 'stream-busy', words: string): void {
    this.rejected.add(s.id);
    this.nms.decidePublish(s, false);
    // The code first: publishers (Tandem's engine among them) read "expired" and "busy" from it.
    tellPublishRefused(s, `${code}: ${words}`);
    endRefusedSession(s, REFUSED_LINGER_MS);
    this.log.warn({ stream: s.streamName, code }, 'publish rejected');
    this.send({ type: 'publish-rejected', stream: isValidStreamName(s.streamName) ? s.streamName : '(invalid)', code });
  }

  private onPrePublish(s: NmsSession): void {
    if (s.streamApp !== PUBLISH_APP || !isValidStreamName(s.streamName)) return this.reject(s, 'bad-path', `publishing is allowed only to /${PUBLISH_APP}/<letters, digits, _ or ->`);
    const auth = verifyPublishSignature(this.cfg.secret, s.streamPath, s.streamQuery?.sign);
    if (!auth.ok) return this.reject(s, auth.code, auth.message);
    const current = [...this.publishers.values()].find((p) => p.open && p.stream === s.streamName);
    let takeover = false;
    if (current) {
      const idleMs = Date.now() - current.lastMediaAt;
      if (idleMs < this.cfg.takeoverIdleMs) return this.reject(s, 'stream-busy', 'another publisher is live on this stream');
      // The old session is silent but its TCP connection lingers (network cut, frozen encoder):
      // a correctly signed newcomer wins, or the presenter could never re-join.
      current.open = false;
      evictPublisher(current.session);
      destroySession(current.session);
      this.send({ type: 'publish-stop', id: current.session.id, stream: current.stream });
      this.log.info({ stream: s.streamName, idleMs }, 'lingering publisher replaced');
      takeover = true;
    }
    if (takeover) this.takeovers.add(s.id);
    this.nms.decidePublish(s, true);
  }

  private onPostPublish(s: NmsSession): void {
    if (this.rejected.delete(s.id)) return;
    keepContinuousTimeline(s, (sub) => !isInternalReader(sub, this.cfg.internalPlayToken));
    acknowledgeReads(s);
    const takeover = this.takeovers.delete(s.id);
    const now = Date.now();
    const pub: Publisher = { session: s, stream: s.streamName, lastBytes: s.inBytes, lastMediaAt: now, open: true };
    this.publishers.set(s.id, pub);
    onSessionClosed(s, () => {
      this.publishers.delete(s.id);
      this.closedBytes.in += s.inBytes;
      this.closedBytes.out += s.outBytes;
      this.closedStreamBytes.set(pub.stream, (this.closedStreamBytes.get(pub.stream) ?? 0) + s.inBytes);
      if (!pub.open) return;
      pub.open = false;
      this.send({ type: 'publish-stop', id: s.id, stream: pub.stream });
      this.log.info({ stream: pub.stream }, 'publish stopped');
    });
    this.send({ type: 'publish-start', id: s.id, stream: s.streamName, takeover });
    this.log.info({ stream: s.streamName, takeover }, 'publish started');
  }

  private onPrePlay(s: NmsSession): void {
    // Playback is public, but only of Tandem's application and well-formed names.
    if (s.streamApp !== PUBLISH_APP || !isValidStreamName(s.streamName)) destroySession(s);
  }

  private onPostPlay(s: NmsSession): void {
    // The node's own stats reader (getStats) is not a viewer: not counted, not released after grace.
    if (isInternalReader(s, this.cfg.internalPlayToken)) return;
    const v: Viewer = { session: s, stream: s.streamName, protocol: transportOf(s), since: Date.now() };
    this.viewers.set(s.id, v);
    onSessionClosed(s, () => {
      this.closedBytes.in += s.inBytes;
      this.closedBytes.out += s.outBytes;
      if (!this.viewers.delete(s.id)) return;
      this.send({ type: 'play-stop', id: s.id, stream: v.stream, protocol: v.protocol });
    });
    this.send({ type: 'play-start', id: s.id, stream: v.stream, protocol: v.protocol });
  }

  private monitor(): void {
    const now = Date.now();
    for (const p of this.publishers.values()) {
      if (!p.open) continue;
      const bytes = p.session.inBytes;
      if (bytes !== p.lastBytes) {
        p.lastBytes = bytes;
        p.lastMediaAt = now;
        this.lastMediaByStream.set(p.stream, now);
      }
    }
    // Viewer grace: a viewer rides out a publisher gap up to graceMs, then is let go so its player
    // can try another node instead of waiting on a dead stream forever.
    const expired = new Map<string, number>();
    for (const [id, v] of this.viewers) {
      const gapStart = Math.max(v.since, this.lastMediaByStream.get(v.stream) ?? 0);
      if (now - gapStart <= this.cfg.graceMs) continue;
      this.viewers.delete(id);
      destroySession(v.session);
      this.send({ type: 'play-stop', id, stream: v.stream, protocol: v.protocol });
      expired.set(v.stream, (expired.get(v.stream) ?? 0) + 1);
    }
    for (const [stream, count] of expired) {
      this.log.info({ stream, count }, 'viewers released after the publisher grace period');
      this.send({ type: 'viewers-expired', stream, count });
    }
  }

  private sendStats(): void {
    const now = Date.now();
    const live = new Set<string>();
    let publishers = 0;
    for (const p of this.publishers.values()) {
      if (!p.open) continue;
      publishers++;
      if (now - p.lastMediaAt < this.cfg.takeoverIdleMs) live.add(p.stream);
    }
    const viewers: Record<ViewerProtocol, number> = { rtmp: 0, 'http-flv': 0, 'ws-flv': 0 };
    let bytesIn = this.closedBytes.in;
    let bytesOut = this.closedBytes.out;
    for (const v of this.viewers.values()) {
      viewers[v.protocol]++;
      bytesIn += v.session.inBytes;
      bytesOut += v.session.outBytes;
    }
    const streamBytesIn: Record<string, number> = Object.fromEntries(this.closedStreamBytes);
    for (const p of this.publishers.values()) {
      bytesIn += p.session.inBytes;
      bytesOut += p.session.outBytes;
      streamBytesIn[p.stream] = (streamBytesIn[p.stream] ?? 0) + p.session.inBytes;
    }
    this.send({ type: 'stats', live: [...live], publishers, viewers, bytesIn, bytesOut, streamBytesIn });
  }
}

/**
 * One media core's life, driven by the supervisor's messages: configured once, then pinged, handed
 * viewers and stopped. `receive` takes each message as it arrives (a socket beside adopt-ws).
 */
export class MediaEndpoint {
  private service: MediaService | undefined;
  private log: Logger = createLogger({ level: 'info' });
  private storeDir: string | null = null;
  private ending: Promise<void> | null = null;

  constructor(private readonly port: MediaPort) {}

  receive(raw: unknown, handle?: unknown): void {
    const parsed = toChildSchema.safeParse(raw);
    if (!parsed.success) {
      if (handle instanceof net.Socket) handle.destroy();
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'adopt-ws') {
      if (!(handle instanceof net.Socket)) return this.log.warn({ handle: typeof handle }, 'adopt-ws without a socket');
      if (!this.service || this.ending) {
        handle.destroy();
        return;
      }
      this.service.adoptWebSocket(msg.path, msg.headers, Buffer.from(msg.head, 'base64'), handle);
    } else if (msg.type === 'ping') this.port.send({ type: 'pong', nonce: msg.nonce });
    else if (msg.type === 'stop') void this.end(0);
    else if (msg.type === 'configure' && !this.service && !this.ending) this.configure(msg.config);
  }

  /** Stops node-media-server, removes its store folder, then tells the port the code. Idempotent. */
  end(code: number): Promise<void> {
    this.ending ??= (async () => {
      await this.service?.stop();
      this.removeStore();
      this.port.exit(code);
    })();
    return this.ending;
  }

  /** The store folder goes with the core, also when the process exits without end(). */
  removeStore(): void {
    if (this.storeDir) rmSync(this.storeDir, { recursive: true, force: true });
  }

  private configure(cfg: MediaChildConfig): void {
    const log = createLogger({ level: cfg.logLevel, nodeId: cfg.nodeId }).child({ proc: 'media' });
    this.log = log;
    let nms: NmsBridge;
    try {
      mkdirSync(cfg.storeDir, { recursive: true, mode: 0o700 });
      this.storeDir = cfg.storeDir;
      loadNms();
      // The library's own lines (its banner, peer addresses) go through the redacting logger.
      routeNmsLog((level, line) => (level === 'warn' || level === 'error' ? log.warn({ src: 'nms' }, redactText(line)) : log.debug({ src: 'nms' }, redactText(line))));
      nms = new NmsBridge({ rtmpPort: cfg.rtmpPort, httpPort: cfg.httpPort, storeDir: cfg.storeDir, libraryDebugLog: ['debug', 'trace'].includes(cfg.logLevel) }, CoalescingWebSocket);
    } catch (err) {
      if (!(err instanceof NmsIncompatibleError)) {
        log.error({ err: String(err) }, 'media core failed to start');
        void this.end(1);
        return;
      }
      // End once the supervisor has the sentence: it stops the node instead of restarting us.
      this.ending = Promise.resolve();
      this.port.send(fromChildSchema.parse({ type: 'incompatible', message: err.message }), () => {
        this.removeStore();
        this.port.exit(1);
      });
      return;
    }
    const service = new MediaService(cfg, log, nms, this.port);
    this.service = service;
    service.start().catch((err: unknown) => {
      log.error({ err: String(err) }, 'media core failed to start');
      void this.end(1);
    });
  }
}

function isInternalReader(s: NmsSession, token: string): boolean {
  const offered = s.streamQuery?.internal;
  if (typeof offered !== 'string' || offered.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(offered), Buffer.from(token));
}
