// The node's control plane at /control: a WebSocket server (noServer, attached to the public HTTP
// listener) for two roles. Presenters (the engine) authenticate with the node's control token and
// write shared objects, call methods, send cues and read questions; anonymous viewers read public
// shared objects and cues, ask questions and vote. This file is the connection handling: upgrade
// and origin, hello and the token, rate limits, heartbeats, fan-out; every frame is parsed from
// `unknown`, every refusal is an `error` message with a closed code, and no client can take the
// node down. What the messages do is in features/ (Q&A, shared objects, cues, calls, stats).
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
  type NodeStats,
  type NodeToClient,
  type PresenterToNode,
  type ViewerToNode,
} from '../../common/control-protocol.js';
import type { IDisposable } from '../../common/lifecycle.js';
import { MAX_MESSAGE_BYTES } from '../../common/limits.js';
import { QUESTIONS_CLOSED } from '../../common/webcast.js';
import { refuseUpgrade } from '../http/public-server.js';
import type { Logger } from '../logger.js';
import type { MediaCore } from '../media/media-core.js';
import type { NodeMetrics } from '../metrics.js';
import { AddressLimits, type AddressLimitOptions } from './address-limits.js';
import { clientAddress, normalizeAddress } from './client-address.js';
import { ControlConnection, type ControlHub } from './connection.js';
import { CallsFeature } from './features/calls.js';
import { CuesFeature } from './features/cues.js';
import { QaFeature, type QaLimits } from './features/qa.js';
import { SharedObjectsFeature } from './features/shared-objects.js';
import { StatsFeature } from './features/stats.js';
import { WebcastFeature } from './features/webcast.js';
import { loadPlugin, type ControlMethod } from './methods.js';
import { PresenterToken } from './presenter-token.js';
import { TokenBucket } from './rate-limit.js';
import { VoterIds, voterIdKey } from './voter-ids.js';

export interface ControlServerOptions {
  nodeId: string;
  stream: string;
  /** Presenter token; undefined disables the presenter role on this node. */
  token: string | undefined;
  /** Directory for shared-objects.json and questions.jsonl; null keeps both in memory only. */
  dataDir: string | null;
  pluginFile: string | undefined;
  /** The media core's publisher grace (ms): a webcast whose publisher stays away longer has ended. */
  graceMs: number;
  /** Origins (scheme://host:port) whose pages may open viewer connections besides this node's own. */
  allowedOrigins: string[];
  media: MediaCore;
  metrics: NodeMetrics;
  log: Logger;
  heartbeatMs?: number;
  limits?: Partial<Limits>;
  /** Per-address limits, the balancers trusted for X-Forwarded-For, and the secret voter ids are signed with (app/config.ts). */
  abuse: AddressLimitOptions & { trustedProxies: readonly string[]; secret: string };
}

export interface Limits extends QaLimits {
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


export class ControlServer implements IDisposable, ControlHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  private readonly clients = new Set<ControlConnection>();
  private readonly limits: Limits;
  private readonly token: PresenterToken;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly objects: SharedObjectsFeature;
  private readonly qa: QaFeature;
  private readonly cues: CuesFeature;
  private readonly calls: CallsFeature;
  private readonly statsFeature: StatsFeature;
  private readonly webcast: WebcastFeature;
  private readonly perAddress: AddressLimits;
  private readonly trustedProxies: ReadonlySet<string>;
  private readonly voterIds: VoterIds;
  private disposed = false;

  private constructor(private readonly o: ControlServerOptions, plugin: Record<string, ControlMethod>) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.token = new PresenterToken(o.token);
    this.perAddress = new AddressLimits(o.abuse);
    this.trustedProxies = new Set(o.abuse.trustedProxies.map(normalizeAddress));
    this.voterIds = new VoterIds(voterIdKey(o.abuse.secret));
    this.objects = new SharedObjectsFeature(o.dataDir ? path.join(o.dataDir, 'shared-objects.json') : null, o.log, this);
    this.qa = new QaFeature(o.dataDir ? path.join(o.dataDir, 'questions.jsonl') : null, o.log, this.limits, this, this.objects, this.perAddress, this.voterIds);
    this.cues = new CuesFeature(this);
    this.statsFeature = new StatsFeature({ nodeId: o.nodeId, stream: o.stream, media: o.media, hub: this });
    this.webcast = new WebcastFeature({
      file: o.dataDir ? path.join(o.dataDir, 'webcast.json') : null,
      stream: o.stream,
      graceMs: o.graceMs,
      questionsOpen: this.token.configured,
      media: o.media,
      hub: this,
      qa: this.qa,
      log: o.log,
    });
    this.calls = new CallsFeature(plugin, { stats: () => this.stats() }, o.nodeId, o.log);
    const hb = o.heartbeatMs ?? 4000;
    // A peer that has not answered the previous ping by the next one is dead: found within 2 × hb.
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) c.beat();
    }, hb);
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

  get hasPresenters(): boolean {
    for (const c of this.clients) if (c.role === 'presenter') return true;
    return false;
  }

  stats(): NodeStats {
    return this.statsFeature.stats();
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
    const address = clientAddress(req, this.trustedProxies);
    if (!this.perAddress.connect(address)) {
      this.o.log.warn('control connection over the per-address limit refused');
      return refuseUpgrade(socket, 429, 'Too Many Requests');
    }
    let counted = true;
    const release = () => {
      if (counted) this.perAddress.disconnect(address);
      counted = false;
    };
    socket.once('close', release);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, address));
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

  private onConnection(ws: WebSocket, address: string): void {
    const l = this.limits;
    const c = new ControlConnection(ws, address, new TokenBucket(l.msgBurst, l.msgPerSec), l.maxErrors);
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
        c.error('bad-message', 'The node could not handle this message');
      }
    });
    ws.once('close', () => {
      if (c.helloTimer) clearTimeout(c.helloTimer);
      this.clients.delete(c);
      this.updateGauge();
    });
  }

  private onMessage(c: ControlConnection, data: RawData | null): void {
    if (!c.msg.take()) return c.error('rate-limited', 'Too many messages; slow down');
    const raw = data === null ? null : Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const frame = parseFrame(raw);
    if (!frame) return c.error('bad-message', 'Messages are JSON objects with a "type"');
    if (c.role === null) {
      if (frame.type !== 'hello') return c.error('not-authenticated', 'Say hello first');
      return this.onHello(c, frame);
    }
    if (c.role === 'viewer') {
      if (!VIEWER_TYPES.has(frame.type)) {
        return c.error(PRESENTER_TYPES.has(frame.type) ? 'forbidden' : 'bad-message', PRESENTER_TYPES.has(frame.type) ? 'Viewers may not do this' : `Unknown message type`);
      }
      const m = viewerToNodeSchema.safeParse(frame);
      if (!m.success) return c.error('bad-message', m.error.issues[0]?.message ?? 'Invalid message');
      return this.onViewer(c, m.data);
    }
    const m = presenterToNodeSchema.safeParse(frame);
    if (!m.success) return c.error('bad-message', m.error.issues[0]?.message ?? 'Invalid message', typeof frame.id === 'string' ? frame.id : undefined);
    this.onPresenter(c, m.data);
  }

  private onHello(c: ControlConnection, frame: unknown): void {
    const m = viewerToNodeSchema.safeParse(frame);
    if (!m.success || m.data.type !== 'hello') return c.error('bad-message', 'Invalid hello');
    const h = m.data;
    if (h.v !== PROTOCOL_VERSION) {
      c.error('unsupported-version', `This node speaks control protocol ${PROTOCOL_VERSION}`);
      c.ws.close(1002, 'version');
      return;
    }
    if (h.role === 'presenter') {
      // Constant time: compare fixed-length digests, so neither length nor prefix leaks.
      const ok = this.token.matches(h.token);
      if (!ok) {
        this.o.log.warn('presenter hello with a wrong token refused');
        c.error('bad-token', this.token.configured ? 'Wrong presenter token' : 'This node has no presenter token configured');
        c.ws.close(1008, 'bad token');
        return;
      }
    }
    if (c.helloTimer) clearTimeout(c.helloTimer);
    c.helloTimer = null;
    c.role = h.role;
    if (h.role === 'presenter') c.msg = new TokenBucket(this.limits.presenterMsgBurst, this.limits.presenterMsgPerSec);
    this.updateGauge();
    c.voterId = h.role === 'viewer' ? this.voterIds.issue(h.voterId) : undefined;
    if (h.role === 'viewer') c.caps = { delta: h.delta === true, deflate: h.deflate === true };
    c.send({ type: 'welcome', v: PROTOCOL_VERSION, role: h.role, nodeId: this.o.nodeId, ...(c.voterId ? { voterId: c.voterId } : {}) });
    this.objects.syncTo(c, h.role);
    this.webcast.helloTo(c);
    if (h.role === 'viewer') this.cues.replayTo(c);
  }

  private onViewer(c: ControlConnection, m: ViewerToNode): void {
    switch (m.type) {
      case 'hello':
        return c.error('bad-message', 'Already said hello');
      case 'qa.ask':
        // Without a presenter token no presenter can ever connect here: a question would be lost.
        if (!this.token.configured) return c.error('forbidden', QUESTIONS_CLOSED, m.id);
        return this.qa.ask(c, m);
      case 'qa.vote':
        return this.qa.vote(c, m);
      case 'so.resync':
        return this.objects.resync(c, m.name);
    }
  }

  private onPresenter(c: ControlConnection, m: PresenterToNode): void {
    switch (m.type) {
      case 'hello':
        return c.error('bad-message', 'Already said hello');
      case 'so.set':
        return this.objects.write(c, m.name, m.public, m.slots);
      case 'so.state':
        for (const [name, o] of Object.entries(m.objects)) this.objects.write(c, name, o.public, o.slots);
        return;
      case 'cue':
        return this.cues.send(m.cue);
      case 'qa.list':
        return this.qa.list(c, m.id);
      case 'call':
        return void this.calls.call(c, m.id, m.method, m.args);
      case 'webcast':
        return this.webcast.set(c, m.id, m.state);
    }
  }

  toViewers(m: NodeToClient): void {
    const text = JSON.stringify(m);
    for (const c of this.clients) if (c.role === 'viewer') c.sendText(text);
  }

  *viewers(): Iterable<ControlConnection> {
    for (const c of this.clients) if (c.role === 'viewer') yield c;
  }

  toPresenters(m: NodeToClient): void {
    for (const c of this.clients) if (c.role === 'presenter') c.send(m);
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
    this.statsFeature.dispose();
    this.webcast.dispose();
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    this.objects.flush();
    this.qa.close();
    this.wss.close();
  }
}
