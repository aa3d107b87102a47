// One control session: the engine ↔ one Tandem node over WebSocket (role presenter). It says hello
// with the node's token, sends the engine's full shared-object state on every (re)connect (so a
// restarted node catches up), reconnects with backoff, detects a dead peer by heartbeat, and
// matches remote-call results to their calls. The token never reaches a log line.
import type { SecureContext } from 'node:tls';
import WebSocket from 'ws';
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import {
  PROTOCOL_VERSION,
  nodeToClientSchema,
  parseFrame,
  type ControlErrorCode,
  type Json,
  type NodeToClient,
  type PresenterToNode,
} from '../../../common/control-protocol.js';
import { MAX_MESSAGE_BYTES, MAX_QA_LIST_BYTES } from '../../../common/limits.js';
import { isLoopbackHost } from '../../../common/publish-url.js';
import { rtmpsSecureContext } from '../rtmp/trust-store.js';
import type { ControlStatus } from '../../../common/streaming.js';
import { Backoff, type BackoffPolicy } from '../base/backoff.js';
import type { Logger } from '../base/logger.js';

export type CallResult =
  | { server: string; ok: true; value: Json; elapsedMs: number }
  | { server: string; ok: false; code: ControlErrorCode; message: string; elapsedMs: number };

export interface ControlSessionOptions {
  id: string;
  url: string;
  token: string;
  logger: Logger;
  /** The messages that bring a (re)connected node up to date: full shared-object state, qa.list. */
  resync: () => PresenterToNode[];
  backoff?: BackoffPolicy;
  heartbeatMs?: number;
  /** The roots a wss:// node's certificate must chain to; the engine's one trust store by default. */
  secureContext?: SecureContext;
  /**
   * Bytes one assembled `qa.list` (its frames as received) may take; tests lower it. Pages alone
   * would allow 2,000 × 256 KiB (512 MiB), so a broken or hostile node could make the engine hold
   * that: by default the node's own bound, MAX_QA_LIST_BYTES.
   */
  maxListBytes?: number;
  /** Wait before asking again for a list that was dropped; default LIST_RETRY_MS. */
  listRetryMs?: number;
}

// Capped low: a restarted node must have the full state again within a second of coming back,
// and a WebSocket attempt to a dead node costs next to nothing.
const CONTROL_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 500, factor: 2, jitter: 0.2 };
/** After the node refused the token; the backoff's cap would retry far too often. */
const REFUSED_RETRY_MS = 10_000;
/** Pages of one `qa.list` (about 60 KiB each): far above what a node's bounds can fill. */
const MAX_LIST_PAGES = 2_000;
/** A dropped list is asked for once more, after this long (the rest of the dropped one drains first). */
export const LIST_RETRY_MS = 500;

type QaList = Extract<NodeToClient, { type: 'qa.list' }>;

/**
 * Why the token must not go to this address, in words, or null: over ws:// anyone on the path
 * reads the hello, so a token goes in cleartext only to this machine's loopback.
 */
export function cleartextRefusal(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'the control URL is not a valid URL';
  }
  if (u.protocol !== 'ws:' || isLoopbackHost(u.hostname)) return null;
  return `not sending the presenter token to ${u.host} over unencrypted ws://: use a wss:// (or https://) control URL, the node serving it with its --tls-key/--tls-cert, or a node on this machine`;
}

export class ControlSession implements IDisposable {
  private ws: WebSocket | null = null;
  private _status: ControlStatus = { state: 'connecting', message: 'connecting to the control plane' };
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private alive = true;
  private disposed = false;
  private seq = 0;
  private readonly pending = new Map<string, { resolve: (r: CallResult) => void; timer: NodeJS.Timeout; started: number }>();
  private readonly log: Logger;
  /** A paged `qa.list` being assembled (dropped with the connection). */
  private listing: QaList | null = null;
  private listingBytes = 0;
  /** A dropped list was asked for again on this connection (once only, until a list arrives whole). */
  private listRetried = false;
  private listRetryTimer: NodeJS.Timeout | null = null;

  private readonly _onMessage = new Emitter<NodeToClient>();
  readonly onMessage = this._onMessage.event;
  private readonly _onStatus = new Emitter<ControlStatus>();
  readonly onStatus = this._onStatus.event;

  constructor(private readonly o: ControlSessionOptions) {
    this.backoff = new Backoff(o.backoff ?? CONTROL_BACKOFF);
    this.log = o.logger.child({ server: o.id, part: 'control' });
  }

  get status(): ControlStatus {
    return this._status;
  }

  get connected(): boolean {
    return this._status.state === 'connected';
  }

  start(): void {
    if (this.disposed || this.ws) return;
    const cleartext = cleartextRefusal(this.o.url);
    if (cleartext) return this.setStatus({ state: 'failed', message: cleartext });
    // wss:// trusts what RTMPS does (the system's and NODE_EXTRA_CA_CERTS' roots): one trust store.
    const ws = new WebSocket(this.o.url, {
      maxPayload: 4 * MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: 3000,
      ...(this.o.url.startsWith('wss:') ? { secureContext: this.o.secureContext ?? rtmpsSecureContext() } : {}),
    });
    this.ws = ws;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', token: this.o.token })));
    ws.on('message', (data) => {
      this.alive = true;
      const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const frame = parseFrame(raw);
      const m = nodeToClientSchema.safeParse(frame);
      if (!m.success) return this.log.warn({ type: frame?.type ?? null }, 'unreadable control message ignored');
      this.onNodeMessage(m.data, raw.length);
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('error', () => undefined); // 'close' follows and decides
    ws.on('close', (code) => this.onClose(ws, code));
  }

  private onNodeMessage(m: NodeToClient, bytes: number): void {
    if (m.type === 'welcome') {
      this.backoff.reset();
      this.listRetried = false;
      this.setStatus({ state: 'connected', message: `control session to ${m.nodeId}` });
      this.startHeartbeat();
      for (const msg of this.o.resync()) this.send(msg);
    } else if (m.type === 'error' && m.code === 'bad-token') {
      this.setStatus({ state: 'failed', message: 'the node refused the control token' });
    } else if (m.type === 'qa.list') {
      const whole = this.assemble(m, bytes);
      if (whole) this._onMessage.fire(whole);
      return;
    } else if (m.type === 'call.result') {
      const p = this.pending.get(m.id);
      if (p) {
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        const elapsedMs = Date.now() - p.started;
        p.resolve(m.ok ? { server: this.o.id, ok: true, value: m.value ?? null, elapsedMs } : { server: this.o.id, ok: false, code: m.code ?? 'call-failed', message: m.message ?? 'failed', elapsedMs });
      }
      return;
    }
    this._onMessage.fire(m);
  }

  /**
   * Puts a paged `qa.list` together, so the list is merged once and whole (a question's voter ids
   * can span pages). Returns the list when its last page arrived. A page out of order, or a list
   * past MAX_LIST_PAGES pages or `maxListBytes`, drops the list (and the rest of its pages); the
   * list is then asked for once more.
   */
  private assemble(m: QaList, bytes: number): QaList | null {
    if (m.part === undefined) {
      this.listRetried = false;
      return m;
    }
    if (m.part === 0) {
      this.listing = { type: 'qa.list', id: m.id, questions: [], votes: {}, voters: {} };
      this.listingBytes = 0;
    }
    const l = this.listing;
    if (!l) return null; // the rest of a list already dropped
    this.listingBytes += bytes;
    const tooLarge = this.listingBytes > (this.o.maxListBytes ?? MAX_QA_LIST_BYTES);
    if (l.id !== m.id || m.part !== (l.part ?? -1) + 1 || m.part >= MAX_LIST_PAGES || tooLarge) {
      this.listing = null;
      this.log.warn({ part: m.part, bytes: this.listingBytes }, tooLarge ? 'question list too large; dropped' : 'question list page out of order; list dropped');
      this.retryList();
      return null;
    }
    l.part = m.part;
    for (const q of m.questions) l.questions.push(q);
    Object.assign(l.votes, m.votes);
    for (const [qid, ids] of Object.entries(m.voters ?? {})) {
      const into = (l.voters![qid] ??= []);
      for (const v of ids) into.push(v);
    }
    if (!m.last) return null;
    this.listing = null;
    // A whole list arrived: a retry still pending is not needed any more.
    this.listRetried = false;
    if (this.listRetryTimer) clearTimeout(this.listRetryTimer);
    this.listRetryTimer = null;
    return { type: 'qa.list', id: l.id, questions: l.questions, votes: l.votes, voters: l.voters ?? {} };
  }

  /** Asks the node for its list once more, shortly (once per connection until a list arrives whole). */
  private retryList(): void {
    if (this.listRetried || this.listRetryTimer) return;
    this.listRetried = true;
    const ws = this.ws;
    this.listRetryTimer = setTimeout(() => {
      this.listRetryTimer = null;
      if (this.ws === ws && !this.disposed) this.send({ type: 'qa.list', id: 'retry' });
    }, this.o.listRetryMs ?? LIST_RETRY_MS);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.alive = true;
    const ms = this.o.heartbeatMs ?? 3000;
    this.heartbeat = setInterval(() => {
      const ws = this.ws;
      if (!ws) return;
      if (!this.alive) {
        this.log.warn('control peer silent; reconnecting');
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, ms);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private onClose(ws: WebSocket, code: number): void {
    if (this.ws !== ws) return;
    this.ws = null;
    this.listing = null;
    if (this.listRetryTimer) clearTimeout(this.listRetryTimer);
    this.listRetryTimer = null;
    this.stopHeartbeat();
    if (this.disposed) return;
    const refused = this._status.state === 'failed';
    if (!refused) this.setStatus({ state: 'reconnecting', message: `control session lost (${code}); reconnecting` });
    // A refused token will not fix itself quickly: retry slowly.
    const delay = refused ? REFUSED_RETRY_MS : this.backoff.next();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.start();
    }, delay);
  }

  private setStatus(s: ControlStatus): void {
    if (s.state === this._status.state && s.message === this._status.message) return;
    this._status = s;
    this.log.info({ state: s.state }, s.message);
    this._onStatus.fire(s);
  }

  /** Sends when connected; false otherwise (the full-state resync covers what was missed). */
  send(m: PresenterToNode): boolean {
    if (!this.connected || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    const text = JSON.stringify(m);
    // The node closes a session that sends more than its payload limit; never send one.
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
      this.log.warn({ type: m.type, bytes: Buffer.byteLength(text) }, 'control message over the node limit not sent');
      return false;
    }
    this.ws.send(text);
    return true;
  }

  /** Waits until connected, refused (false at once: a wrong token will not fix itself) or the deadline. */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.connected) return Promise.resolve(true);
    if (this._status.state === 'failed') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(this.connected);
      }, Math.max(0, timeoutMs));
      const sub = this.onStatus((s) => {
        if (s.state !== 'connected' && s.state !== 'failed') return;
        clearTimeout(timer);
        sub.dispose();
        resolve(s.state === 'connected');
      });
    });
  }

  /** One remote call; never rejects. A session not connected gets until the timeout to come back. */
  async call(method: string, args: Json[], timeoutMs: number): Promise<CallResult> {
    const started = Date.now();
    const timeout = (): CallResult => ({ server: this.o.id, ok: false, code: 'timeout', message: `no answer from ${this.o.id} within ${timeoutMs} ms`, elapsedMs: Date.now() - started });
    if (!(await this.waitConnected(timeoutMs))) {
      if (this._status.state !== 'failed') return timeout();
      return { server: this.o.id, ok: false, code: 'not-connected', message: this._status.message, elapsedMs: Date.now() - started };
    }
    const id = `c${++this.seq}`;
    const bytes = Buffer.byteLength(JSON.stringify({ type: 'call', id, method, args }));
    if (bytes > MAX_MESSAGE_BYTES) return { server: this.o.id, ok: false, code: 'too-large', message: `call arguments are ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES}`, elapsedMs: 0 };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(timeout());
      }, Math.max(0, timeoutMs - (Date.now() - started)));
      this.pending.set(id, { resolve, timer, started });
      if (!this.send({ type: 'call', id, method, args })) {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(timeout());
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.listRetryTimer) clearTimeout(this.listRetryTimer);
    this.stopHeartbeat();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ server: this.o.id, ok: false, code: 'not-connected', message: 'control session closed', elapsedMs: Date.now() - p.started });
      this.pending.delete(id);
    }
    this.ws?.terminate();
    this.ws = null;
    this._onMessage.dispose();
    this._onStatus.dispose();
  }
}
