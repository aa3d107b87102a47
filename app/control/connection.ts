// One client of the node's control plane: its socket, its role once it said hello, its message
// rate and error count, and back-pressure. A viewer that stops reading is dropped once too much is
// buffered for it (bounded memory per connection); everything to a presenter goes out in order as
// its socket drains, as its hello alone syncs every object and its `qa.list` can be megabytes.
import type { WebSocket } from 'ws';
import type { ControlErrorCode, NodeToClient } from '../../common/control-protocol.js';
import { MAX_QA_LIST_BYTES } from '../../common/limits.js';
import { TokenBucket } from './rate-limit.js';

export type Role = 'viewer' | 'presenter';

/** A client that lets this much pile up unsent is too slow to keep (bounded memory per connection). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A presenter's queued messages are sent while less than this is buffered, the rest as it drains. */
const HIGH_WATER = 256 * 1024;
/** How long a connection closing after a protocol error may take to flush its last replies. */
const CLOSE_GRACE_MS = 1000;

/** What the features (Q&A, shared objects, cues, calls) see of a connection. */
export interface ControlPeer {
  readonly role: Role | null;
  /** The client's address (app/control/client-address.ts): per-address limits count against it. */
  readonly address: string;
  /** What a viewer said it takes in its hello: changes as `so.delta`, large messages deflated (binary). */
  readonly caps: { delta: boolean; deflate: boolean };
  send(m: NodeToClient): void;
  /** One message already serialized (text) or deflated (binary, only to a peer with `caps.deflate`). */
  sendText(data: string | Buffer): void;
  /** Already serialized messages (a `qa.list`'s pages), sent in order as the socket drains. */
  sendQueued(texts: Iterable<string>): void;
  /** An `error` reply with a closed code; a connection that keeps erring is closed as abusive. */
  error(code: ControlErrorCode, message: string, ref?: string): void;
}

/** What the features see of the server: every connection of a role at once. */
export interface ControlHub {
  toViewers(m: NodeToClient): void;
  /** Every viewer connection, to send each what its capabilities take. */
  viewers(): Iterable<ControlPeer>;
  toPresenters(m: NodeToClient): void;
  readonly viewerCount: number;
  readonly hasPresenters: boolean;
}

export class ControlConnection implements ControlPeer {
  role: Role | null = null;
  /** Answered the last heartbeat ping (or sent anything since). */
  alive = true;
  /** Messages per second: a viewer's budget until a presenter's hello raises it. */
  msg: TokenBucket;
  helloTimer: NodeJS.Timeout | null = null;
  /** A viewer's voter id, issued in its `welcome`. */
  voterId: string | undefined;
  caps = { delta: false, deflate: false };
  private errors = 0;
  /** Presenters: messages waiting for the socket to drain (hello syncs, fan-out, `qa.list` pages), in order. */
  private queue: (string | Buffer)[] = [];
  private queuedBytes = 0;

  constructor(
    readonly ws: WebSocket,
    readonly address: string,
    msg: TokenBucket,
    private readonly maxErrors: number,
  ) {
    this.msg = msg;
    // A protocol error (an oversized frame: 1009) has already started a close handshake: let the
    // replies queued before it and the close frame go out, then cut the socket at the latest in 1 s.
    // Any other error ends the connection now.
    ws.on('error', () => {
      if (ws.readyState !== ws.CLOSING) return ws.terminate();
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    });
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(m: NodeToClient): void {
    this.sendText(JSON.stringify(m));
  }

  /** One serialized message: queued for a presenter, dropped with the connection for a viewer that stopped reading. */
  sendText(text: string | Buffer): void {
    if (!this.open) return;
    if (this.role === 'presenter' || this.queue.length > 0) return this.enqueue(text);
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.terminate();
      return;
    }
    this.ws.send(text);
  }

  sendQueued(texts: Iterable<string>): void {
    for (const text of texts) this.enqueue(text);
  }

  error(code: ControlErrorCode, message: string, ref?: string): void {
    this.errors++;
    this.send({ type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) });
    if (this.errors >= this.maxErrors) this.ws.close(1008, 'too many errors');
  }

  /** A heartbeat: a peer that has not answered the previous ping by now is dead. */
  beat(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    try {
      this.ws.ping();
    } catch {
      this.ws.terminate();
    }
  }

  private enqueue(text: string | Buffer): void {
    this.queuedBytes += text.length;
    // What a presenter may have queued behind its `qa.list` pages: the largest list the bounds allow.
    if (this.queuedBytes > MAX_QA_LIST_BYTES) {
      this.queue = [];
      this.queuedBytes = 0;
      this.ws.terminate();
      return;
    }
    this.queue.push(text);
    if (this.queue.length === 1) this.pump();
  }

  private pump(): void {
    if (!this.open) {
      this.queue = [];
      this.queuedBytes = 0;
      return;
    }
    let sent = 0;
    while (this.queue.length > 0 && this.ws.bufferedAmount < HIGH_WATER) {
      const text = this.queue.shift()!;
      this.queuedBytes -= text.length;
      sent++;
      // The callback runs once this frame is written out: time to send more.
      this.ws.send(text, this.queue.length > 0 ? () => this.pump() : undefined);
    }
    // Other messages filled the buffer before any page went: look again shortly.
    if (sent === 0 && this.queue.length > 0) setTimeout(() => this.pump(), 20);
  }
}
