// The node's control plane at /control: a WebSocket server (noServer, attached to the public HTTP
// listener) for two roles. Presenters (the engine) authenticate with the node's control token and
// write shared objects, call methods, send cues and read questions; anonymous viewers read public
// shared objects and cues, ask questions and vote. Every frame is parsed from `unknown`, every
// refusal is an `error` message with a closed code, and no client can take the node down.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  PRESENTER_TYPES,
  PROTOCOL_VERSION,
  VIEWER_TYPES,
  parseFrame,
  presenterToNodeSchema,
  viewerToNodeSchema,
  type ControlErrorCode,
  type Cue,
  type Json,
  type NodeStats,
  type NodeToClient,
  type PresenterToNode,
  type ViewerToNode,
} from '../../common/control-protocol.js';
import { MAX_MESSAGE_BYTES, MAX_QA_LIST_BYTES } from '../../common/limits.js';
import type { IDisposable } from '../../common/lifecycle.js';
import { QA_OBJECT } from '../../common/qa.js';
import { refuseUpgrade } from '../http/public-server.js';
import type { Logger } from '../logger.js';
import type { MediaCore } from '../media/media-core.js';
import type { NodeMetrics } from '../metrics.js';
import { IngestProbe } from './ingest-probe.js';
import { builtinMethods, loadPlugin, type ControlMethod } from './methods.js';
import { QaLog } from './qa-log.js';
import { TokenBucket } from './rate-limit.js';
import { SharedObjectStore } from './so-store.js';

export interface ControlServerOptions {
  nodeId: string;
  stream: string;
  /** Presenter token; undefined disables the presenter role on this node. */
  token: string | undefined;
  /** Directory for shared-objects.json and questions.jsonl; null keeps both in memory only. */
  dataDir: string | null;
  pluginFile: string | undefined;
  /** Origins (scheme://host:port) whose pages may open viewer connections besides this node's own. */
  allowedOrigins: string[];
  media: MediaCore;
  metrics: NodeMetrics;
  log: Logger;
  heartbeatMs?: number;
  limits?: Partial<Limits>;
}

export interface Limits {
  /** Questions: bucket size and refill per second (default one per 10 s). */
  askBurst: number;
  askPerSec: number;
  voteBurst: number;
  votePerSec: number;
  /** All messages of one connection. */
  msgBurst: number;
  msgPerSec: number;
  /**
   * All messages of an authenticated presenter: its full-state resync after a (re)connect is a
   * burst of packed `so.state` messages (up to ~50 for the largest Q&A moderation), far over a
   * viewer's burst. Still bounded, so a runaway engine cannot flood the node.
   */
  presenterMsgBurst: number;
  presenterMsgPerSec: number;
  /** Errors after which a connection is closed as abusive. */
  maxErrors: number;
}

const DEFAULT_LIMITS: Limits = { askBurst: 1, askPerSec: 0.1, voteBurst: 10, votePerSec: 10 / 60, msgBurst: 40, msgPerSec: 20, presenterMsgBurst: 400, presenterMsgPerSec: 200, maxErrors: 200 };
const HELLO_TIMEOUT_MS = 5000;
/** How long a connection closing after a protocol error may take to flush its last replies. */
const CLOSE_GRACE_MS = 1000;
/** A client that lets this much pile up unsent is too slow to keep (bounded memory per connection). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const CUE_HISTORY = 20;
/** A `qa.list` page's JSON budget, below MAX_MESSAGE_BYTES. */
const LIST_PAGE_BYTES = MAX_MESSAGE_BYTES - 4096;
/** Pages of a presenter's `qa.list` are sent while less than this is buffered, the rest as it drains. */
const LIST_HIGH_WATER = 256 * 1024;

interface Client {
  ws: WebSocket;
  role: 'viewer' | 'presenter' | null;
  alive: boolean;
  errors: number;
  msg: TokenBucket;
  ask: TokenBucket;
  vote: TokenBucket;
  helloTimer: NodeJS.Timeout | null;
  /** Presenters: messages waiting for the socket to drain (hello syncs, fan-out, `qa.list` pages), in order. */
  queue: string[];
  queuedBytes: number;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export class ControlServer implements IDisposable {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  private readonly clients = new Set<Client>();
  private readonly store: SharedObjectStore;
  private readonly qa: QaLog;
  private readonly methods: Record<string, ControlMethod>;
  private readonly limits: Limits;
  private readonly tokenDigest: Buffer | null;
  private readonly cues: Cue[] = [];
  private readonly heartbeat: NodeJS.Timeout;
  private readonly sampler: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  private readonly probe: IngestProbe;
  private disposed = false;

  private constructor(private readonly o: ControlServerOptions, plugin: Record<string, ControlMethod>) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.tokenDigest = o.token ? digest(o.token) : null;
    this.probe = new IngestProbe(o.media, o.stream);
    this.store = new SharedObjectStore(o.dataDir ? path.join(o.dataDir, 'shared-objects.json') : null, o.log);
    this.qa = new QaLog(o.dataDir ? path.join(o.dataDir, 'questions.jsonl') : null, o.log);
    const builtins = builtinMethods({ stats: () => this.stats() });
    for (const name of Object.keys(plugin)) if (name in builtins) o.log.warn({ method: name }, 'control plugin method shadows a built-in; the built-in wins');
    this.methods = { ...plugin, ...builtins };
    const hb = o.heartbeatMs ?? 4000;
    // A peer that has not answered the previous ping by the next one is dead: found within 2 × hb.
    this.heartbeat = setInterval(() => this.beat(), hb);
    this.sampler = setInterval(() => this.sample(), 1000);
  }

  static async start(o: ControlServerOptions): Promise<ControlServer> {
    const plugin = o.pluginFile ? await loadPlugin(o.pluginFile) : {};
    return new ControlServer(o, plugin);
  }

  get viewerCount(): number {
    let n = 0;
    for (const c of this.clients) if (c.role === 'viewer') n++;
    return n;
  }

  /** The upgrade handler for `node.http.upgrade('/control', …)`. */
  readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (this.disposed) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const origin = req.headers.origin;
    // Browsers always send Origin: only pages of this cluster may open a connection (no
    // cross-site question spam). Non-browser clients send none and must still authenticate to write.
    if (origin !== undefined && !this.originAllowed(origin, req.headers.host)) {
      this.o.log.warn({ origin }, 'control connection from a foreign origin refused');
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  };

  private originAllowed(origin: string, host: string | undefined): boolean {
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return false;
    }
    if (host && u.host === host) return true;
    return this.o.allowedOrigins.some((a) => {
      try {
        return new URL(a).origin === u.origin;
      } catch {
        return false;
      }
    });
  }

  private onConnection(ws: WebSocket): void {
    const l = this.limits;
    const c: Client = {
      ws,
      role: null,
      alive: true,
      errors: 0,
      msg: new TokenBucket(l.msgBurst, l.msgPerSec),
      ask: new TokenBucket(l.askBurst, l.askPerSec),
      vote: new TokenBucket(l.voteBurst, l.votePerSec),
      helloTimer: null,
      queue: [],
      queuedBytes: 0,
    };
    this.clients.add(c);
    c.helloTimer = setTimeout(() => ws.close(1008, 'no hello'), HELLO_TIMEOUT_MS);
    ws.on('pong', () => (c.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      c.alive = true;
      try {
        this.onMessage(c, isBinary ? null : data);
      } catch (err) {
        // A bug in a handler must cost this message, not the node.
        this.o.log.error({ err: String(err) }, 'control message handler failed');
        this.error(c, 'bad-message', 'The node could not handle this message');
      }
    });
    // A protocol error (an oversized frame: 1009) has already started a close handshake: let the
    // replies queued before it and the close frame go out, then cut the socket at the latest in 1 s.
    // Any other error ends the connection now.
    ws.on('error', () => {
      if (ws.readyState !== ws.CLOSING) return ws.terminate();
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    });
    ws.once('close', () => {
      if (c.helloTimer) clearTimeout(c.helloTimer);
      this.clients.delete(c);
      this.updateGauge();
    });
  }

  private onMessage(c: Client, data: RawData | null): void {
    if (!c.msg.take()) return this.error(c, 'rate-limited', 'Too many messages; slow down');
    const raw = data === null ? null : Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const frame = parseFrame(raw);
    if (!frame) return this.error(c, 'bad-message', 'Messages are JSON objects with a "type"');
    if (c.role === null) {
      if (frame.type !== 'hello') return this.error(c, 'not-authenticated', 'Say hello first');
      return this.onHello(c, frame);
    }
    if (c.role === 'viewer') {
      if (!VIEWER_TYPES.has(frame.type)) {
        return this.error(c, PRESENTER_TYPES.has(frame.type) ? 'forbidden' : 'bad-message', PRESENTER_TYPES.has(frame.type) ? 'Viewers may not do this' : `Unknown message type`);
      }
      const m = viewerToNodeSchema.safeParse(frame);
      if (!m.success) return this.error(c, 'bad-message', m.error.issues[0]?.message ?? 'Invalid message');
      return this.onViewer(c, m.data);
    }
    const m = presenterToNodeSchema.safeParse(frame);
    if (!m.success) return this.error(c, 'bad-message', m.error.issues[0]?.message ?? 'Invalid message', typeof frame.id === 'string' ? frame.id : undefined);
    this.onPresenter(c, m.data);
  }

  private onHello(c: Client, frame: unknown): void {
    const m = viewerToNodeSchema.safeParse(frame);
    if (!m.success || m.data.type !== 'hello') return this.error(c, 'bad-message', 'Invalid hello');
    const h = m.data;
    if (h.v !== PROTOCOL_VERSION) {
      this.error(c, 'unsupported-version', `This node speaks control protocol ${PROTOCOL_VERSION}`);
      c.ws.close(1002, 'version');
      return;
    }
    if (h.role === 'presenter') {
      // Constant time: compare fixed-length digests, so neither length nor prefix leaks.
      const ok = this.tokenDigest !== null && h.token !== undefined && timingSafeEqual(this.tokenDigest, digest(h.token));
      if (!ok) {
        this.o.log.warn('presenter hello with a wrong token refused');
        this.error(c, 'bad-token', this.tokenDigest ? 'Wrong presenter token' : 'This node has no presenter token configured');
        c.ws.close(1008, 'bad token');
        return;
      }
    }
    if (c.helloTimer) clearTimeout(c.helloTimer);
    c.helloTimer = null;
    c.role = h.role;
    if (h.role === 'presenter') c.msg = new TokenBucket(this.limits.presenterMsgBurst, this.limits.presenterMsgPerSec);
    this.updateGauge();
    this.send(c, { type: 'welcome', v: PROTOCOL_VERSION, role: h.role, nodeId: this.o.nodeId });
    for (const [name, o] of this.store.entries()) {
      if (h.role === 'viewer' && !o.public) continue;
      this.send(c, { type: 'so.sync', name, changed: Object.keys(o.slots), slots: o.slots, public: o.public });
    }
    if (h.role === 'viewer') for (const cue of this.cues) this.send(c, { type: 'cue', cue });
  }

  private onViewer(c: Client, m: ViewerToNode): void {
    switch (m.type) {
      case 'hello':
        return this.error(c, 'bad-message', 'Already said hello');
      case 'qa.ask': {
        // An idempotent retry (same id) costs no rate and stores nothing new.
        if (this.qa.has(m.id)) {
          const r = this.qa.ask(m.id, m.text, m.name);
          if (r.kind !== 'full') this.send(c, { type: 'qa.asked', question: r.question });
          return;
        }
        if (!c.ask.take()) return this.error(c, 'rate-limited', 'One question every 10 seconds, please', m.id);
        const r = this.qa.ask(m.id, m.text, m.name || undefined);
        if (r.kind === 'full') return this.error(c, 'full', 'This session takes no more questions', m.id);
        this.send(c, { type: 'qa.asked', question: r.question });
        this.toPresenters({ type: 'qa.asked', question: r.question });
        return;
      }
      case 'qa.vote': {
        if (!this.qa.has(m.questionId) && !this.isPublicQuestion(m.questionId)) return this.error(c, 'bad-message', 'No such question', m.questionId);
        if (!c.vote.take()) return this.error(c, 'rate-limited', 'Ten votes a minute, please', m.questionId);
        const r = this.qa.vote(m.questionId, m.voterId);
        if (r.kind === 'full') return this.error(c, 'full', 'This session takes no more votes', m.questionId);
        this.send(c, { type: 'qa.votes', questionId: m.questionId, votes: r.votes });
        // Voter ids go to presenters only: the engine counts a voter once across nodes with them.
        if (r.kind === 'new') this.toPresenters({ type: 'qa.votes', questionId: m.questionId, votes: r.votes, voterId: m.voterId });
        return;
      }
    }
  }

  /** Questions asked on other nodes reach this one only through the published `qa` object. */
  private isPublicQuestion(id: string): boolean {
    const list = this.store.get(QA_OBJECT)?.slots.questions?.value;
    return Array.isArray(list) && list.some((q) => typeof q === 'object' && q !== null && !Array.isArray(q) && q.id === id);
  }

  private onPresenter(c: Client, m: PresenterToNode): void {
    switch (m.type) {
      case 'hello':
        return this.error(c, 'bad-message', 'Already said hello');
      case 'so.set':
        return this.writeObject(c, m.name, m.public, m.slots);
      case 'so.state':
        for (const [name, o] of Object.entries(m.objects)) this.writeObject(c, name, o.public, o.slots);
        return;
      case 'cue':
        this.cues.push(m.cue);
        if (this.cues.length > CUE_HISTORY) this.cues.shift();
        this.toViewers({ type: 'cue', cue: m.cue });
        return;
      case 'qa.list':
        return this.sendList(c, m.id);
      case 'call':
        return void this.call(c, m.id, m.method, m.args);
    }
  }

  private writeObject(c: Client, name: string, isPublic: boolean, slots: Record<string, Json>): void {
    const r = this.store.write(name, isPublic, slots);
    if (typeof r === 'string') return this.error(c, 'full', r, name);
    if (r.changed.length === 0) return;
    const changedSlots = Object.fromEntries(r.changed.map((k) => [k, r.object.slots[k]!]));
    const msg: NodeToClient = { type: 'so.sync', name, changed: r.changed, slots: changedSlots, public: isPublic };
    this.toPresenters(msg);
    if (isPublic) this.toViewers(msg);
  }

  private async call(c: Client, id: string, method: string, args: Json[]): Promise<void> {
    const fn = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    if (!fn) return this.send(c, { type: 'call.result', id, ok: false, code: 'unknown-method', message: `No method "${method}" on this node` });
    try {
      const value = await fn(args, { nodeId: this.o.nodeId });
      this.send(c, { type: 'call.result', id, ok: true, value: value ?? null });
    } catch (err) {
      this.send(c, { type: 'call.result', id, ok: false, code: 'call-failed', message: err instanceof Error ? err.message : String(err) });
    }
  }

  stats(): NodeStats {
    const s = this.o.media.stats;
    const probe = this.probe.sample();
    // The probe reads with the media core's internal token, so the core never counts it as a viewer.
    const viewers = Object.values(s.viewers).reduce((a, b) => a + b, 0);
    return {
      nodeId: this.o.nodeId,
      live: s.live.includes(this.o.stream),
      // The configured stream's own bytes from its publisher: not other streams', not viewers'.
      ingestBps: this.o.media.ingestBps(this.o.stream),
      fps: probe.fps,
      keyframeAgeMs: probe.keyframeAgeMs,
      viewers: Math.max(0, viewers),
      controlViewers: this.viewerCount,
      uptimeMs: Date.now() - this.startedAt,
    };
  }

  private sample(): void {
    let presenters = false;
    for (const c of this.clients) if (c.role === 'presenter') presenters = true;
    this.probe.update(presenters);
  }

  private beat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.ws.ping();
      } catch {
        c.ws.terminate();
      }
    }
  }

  private send(c: Client, m: NodeToClient): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    // Everything to a presenter goes out as its socket drains: its hello alone syncs every object
    // (the Q&A moderation is 65 of them, up to ~3.5 MiB), far over what a client may have buffered.
    if (c.role === 'presenter' || c.queue.length > 0) return this.enqueue(c, JSON.stringify(m));
    if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      c.ws.terminate();
      return;
    }
    c.ws.send(JSON.stringify(m));
  }

  /**
   * A presenter's `qa.list`, in pages that each fit one message. A big list (thousands of questions
   * and voter ids) is more than a client may have buffered, so the pages go out as the socket
   * drains, like every message to a presenter (`send`), in order.
   */
  private sendList(c: Client, id: string): void {
    for (const page of this.qa.listPages(id, LIST_PAGE_BYTES)) this.enqueue(c, JSON.stringify(page));
  }

  private enqueue(c: Client, text: string): void {
    c.queuedBytes += text.length;
    // What a presenter may have queued behind its `qa.list` pages: the largest list the bounds allow.
    if (c.queuedBytes > MAX_QA_LIST_BYTES) {
      c.queue = [];
      c.queuedBytes = 0;
      c.ws.terminate();
      return;
    }
    c.queue.push(text);
    if (c.queue.length === 1) this.pump(c);
  }

  private pump(c: Client): void {
    if (c.ws.readyState !== c.ws.OPEN) {
      c.queue = [];
      c.queuedBytes = 0;
      return;
    }
    let sent = 0;
    while (c.queue.length > 0 && c.ws.bufferedAmount < LIST_HIGH_WATER) {
      const text = c.queue.shift()!;
      c.queuedBytes -= text.length;
      sent++;
      // The callback runs once this frame is written out: time to send more.
      c.ws.send(text, c.queue.length > 0 ? () => this.pump(c) : undefined);
    }
    // Other messages filled the buffer before any page went: look again shortly.
    if (sent === 0 && c.queue.length > 0) setTimeout(() => this.pump(c), 20);
  }

  private toViewers(m: NodeToClient): void {
    const text = JSON.stringify(m);
    for (const c of this.clients) {
      if (c.role !== 'viewer' || c.ws.readyState !== c.ws.OPEN) continue;
      if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) c.ws.terminate();
      else c.ws.send(text);
    }
  }

  private toPresenters(m: NodeToClient): void {
    for (const c of this.clients) if (c.role === 'presenter') this.send(c, m);
  }

  private error(c: Client, code: ControlErrorCode, message: string, ref?: string): void {
    c.errors++;
    this.send(c, { type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) });
    if (c.errors >= this.limits.maxErrors) c.ws.close(1008, 'too many errors');
  }

  private updateGauge(): void {
    let p = 0;
    let v = 0;
    for (const c of this.clients) {
      if (c.role === 'presenter') p++;
      else if (c.role === 'viewer') v++;
    }
    this.o.metrics.controlClients.set({ role: 'presenter' }, p);
    this.o.metrics.controlClients.set({ role: 'viewer' }, v);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.sampler);
    this.probe.stop();
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    this.store.flush();
    this.qa.close();
    this.wss.close();
  }
}
