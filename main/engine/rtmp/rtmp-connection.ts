// One RTMP client connection, shared by the setup probe and the publisher: TCP or TLS (verified,
// with SNI), the simple handshake, chunking both ways, and the protocol-control chatter a server
// expects from a well-behaved client (acknowledgements, ping responses). Commands go out and come
// back as AMF0 values; everything else is the owner's business. Faults are reported once, with the
// step they happened in and a sentence in words; the owner decides what they mean for it.
import { randomFillSync } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { RtmpTarget } from '../../../common/publish-url.js';
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import { type Amf0Value, decodeAmf0Values, encodeAmf0Values } from './amf0.js';
import { DEFAULT_CHUNK_SIZE, encodeChunkParts, MessageType, RtmpChunkReader, type RtmpMessage } from './chunks.js';
import { CERT_CODES, describeGarbage, describeTlsError, errorCode, oneLine, UNREACHABLE_CODES } from './rtmp-words.js';
import { rtmpsSecureContext } from './trust-store.js';

const HANDSHAKE_SIZE = 1536;
const RTMP_VERSION = 3;
export const CONTROL_CSID = 2;
export const COMMAND_CSID = 3;
const USER_PING_REQUEST = 6;
const USER_PING_RESPONSE = 7;

export type ConnectionStep = 'tcp' | 'tls' | 'handshake' | 'rtmp';

/** What went wrong, by kind; `closed` is an orderly or reset close after the handshake. */
export type FaultKind = 'refused' | 'unreachable' | 'timeout' | 'tls' | 'tls-certificate' | 'protocol-error' | 'closed';

export interface ConnectionFault {
  kind: FaultKind;
  step: ConnectionStep;
  /** The socket's error code when there is one (ECONNRESET, CERT_HAS_EXPIRED, …). */
  code?: string;
  /** A sentence without the stream key (the connection never learns it). */
  message: string;
}

export interface RtmpCommand {
  name: string;
  transactionId: number;
  /** Values after the command object: for onStatus, the info object is args[0]. */
  args: Amf0Value[];
  streamId: number;
}

export interface RtmpConnectionOptions {
  /** Tests may trust their own CA; the default is the OS store, Node's roots and NODE_EXTRA_CA_CERTS. */
  secureContext?: tls.SecureContext;
  now?: () => number;
}

const STEP_WORDS: Record<ConnectionStep, string> = { tcp: 'the TCP connection', tls: 'the TLS handshake', handshake: 'the RTMP handshake', rtmp: 'the RTMP session' };

export class RtmpConnection implements IDisposable {
  private raw: net.Socket | null = null;
  private sock: net.Socket | null = null;
  private stepNow: ConnectionStep = 'tcp';
  private handshakeBuf: Buffer = Buffer.alloc(0);
  private readonly reader = new RtmpChunkReader();
  private outChunkSize = DEFAULT_CHUNK_SIZE;
  private closed = false;
  private receivedBytes = 0;
  private lastAckSent = 0;
  private ackWindow = 0;
  private acked = 0;
  private lastAckSeq = 0;
  private pingSentAt: number | null = null;
  private rtt: number | null = null;
  private readonly now: () => number;

  private readonly _onOpen = new Emitter<void>();
  /** The handshake is done: commands may go out. */
  readonly onOpen = this._onOpen.event;
  private readonly _onCommand = new Emitter<RtmpCommand>();
  readonly onCommand = this._onCommand.event;
  private readonly _onFail = new Emitter<ConnectionFault>();
  /** Fires once, after which the connection is closed. */
  readonly onFail = this._onFail.event;
  private readonly _onDrain = new Emitter<void>();
  readonly onDrain = this._onDrain.event;

  constructor(
    readonly target: RtmpTarget,
    private readonly opts: RtmpConnectionOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  get step(): ConnectionStep {
    return this.stepNow;
  }

  get isOpen(): boolean {
    return !this.closed && this.stepNow === 'rtmp';
  }

  /** Bytes the server acknowledged receiving (its RTMP Acknowledgement messages), since the handshake. */
  get ackedBytes(): number {
    return this.acked;
  }

  /** Round-trip of the last answered ping, or null when the server answers none. */
  get rttMs(): number | null {
    return this.rtt;
  }

  /** Bytes handed to the kernel (excludes what waits in this process). */
  get flushedBytes(): number {
    const s = this.sock;
    return s ? s.bytesWritten - s.writableLength : 0;
  }

  /** Bytes written but still waiting in this process for the socket. */
  get bufferedBytes(): number {
    return this.sock?.writableLength ?? 0;
  }

  /** Local and remote TCP ports, to find this connection in the kernel's tables. */
  get ports(): { local: number; remote: number } | null {
    const r = this.raw;
    return r?.localPort && r.remotePort ? { local: r.localPort, remote: r.remotePort } : null;
  }

  open(): void {
    const t = this.target;
    const raw = net.connect({ host: t.host, port: t.port });
    this.raw = raw;
    raw.setNoDelay(true);
    raw.on('error', (err) => this.onSocketError(err));
    raw.on('close', () => this.onSocketClose());
    raw.once('connect', () => {
      if (this.closed) return;
      if (t.scheme !== 'rtmps:') {
        this.attach(raw);
        return;
      }
      this.stepNow = 'tls';
      const secure = tls.connect({
        socket: raw,
        // The certificate is checked against this host: without it Node checks "localhost" when
        // the URL names an address (a socket connected to an IP carries no host name).
        host: t.host,
        secureContext: this.opts.secureContext ?? rtmpsSecureContext(),
        // SNI takes a name, never an address.
        servername: net.isIP(t.host) === 0 ? t.host : undefined,
      });
      secure.on('error', (err) => this.onSocketError(err));
      secure.on('close', () => this.onSocketClose());
      secure.once('secureConnect', () => this.attach(secure));
    });
  }

  /** Sends a command; `transactionId` 0 for those that get no _result. */
  command(name: string, transactionId: number, commandObject: Amf0Value, args: Amf0Value[] = [], streamId = 0, csid = COMMAND_CSID): void {
    const payload = encodeAmf0Values([name, transactionId, commandObject, ...args]);
    this.send({ csid, type: MessageType.amf0Command, streamId, timestamp: 0, payload });
  }

  /** Our chunk size for everything after this message (servers accept up to 2^31-1; 4096 is OBS's). */
  setChunkSize(size: number): void {
    const p = Buffer.alloc(4);
    p.writeUInt32BE(size, 0);
    this.send({ csid: CONTROL_CSID, type: MessageType.setChunkSize, streamId: 0, timestamp: 0, payload: p });
    this.outChunkSize = size;
  }

  /** Asks the server to acknowledge every `size` bytes it receives: the source of ackedBytes. */
  setWindowAckSize(size: number): void {
    const p = Buffer.alloc(4);
    p.writeUInt32BE(size, 0);
    this.send({ csid: CONTROL_CSID, type: MessageType.windowAckSize, streamId: 0, timestamp: 0, payload: p });
  }

  /** A ping request (User Control 6): the server's response gives rttMs. */
  ping(): void {
    if (!this.isOpen || this.pingSentAt !== null) return;
    const p = Buffer.alloc(6);
    p.writeUInt16BE(USER_PING_REQUEST, 0);
    p.writeUInt32BE(this.now() >>> 0, 2);
    this.pingSentAt = this.now();
    this.send({ csid: CONTROL_CSID, type: MessageType.userControl, streamId: 0, timestamp: 0, payload: p });
  }

  /** Writes one message; false when the socket's buffer is above its high-water mark. */
  send(msg: RtmpMessage): boolean {
    const sock = this.sock;
    if (!sock || this.closed) return false;
    // Headers and payload views go out as they are (one writev when corked): no copy per server.
    let ok = true;
    for (const part of encodeChunkParts(msg, this.outChunkSize)) ok = sock.write(part);
    return ok;
  }

  /** Holds writes until uncork(): a batch of messages leaves in one system call. */
  cork(): void {
    this.sock?.cork();
  }

  uncork(): void {
    this.sock?.uncork();
  }

  /** Ends the connection after what was written (a polite close), destroying it if that takes long. */
  end(graceMs = 1000): void {
    if (this.closed) return;
    this.closed = true;
    const s = this.sock ?? this.raw;
    if (!s) return;
    s.end();
    setTimeout(() => this.destroySockets(), graceMs).unref();
  }

  /** Drops the connection now without a fault event. */
  dispose(): void {
    this.closed = true;
    this.destroySockets();
    this._onOpen.dispose();
    this._onCommand.dispose();
    this._onFail.dispose();
    this._onDrain.dispose();
  }

  /** Reports a fault the owner found (a timeout, a refusal) and closes. */
  fail(fault: Omit<ConnectionFault, 'step'>): void {
    if (this.closed) return;
    this.closed = true;
    this.destroySockets();
    this._onFail.fire({ ...fault, step: this.stepNow });
  }

  private destroySockets(): void {
    this.sock?.destroy();
    this.raw?.destroy();
  }

  private attach(sock: net.Socket): void {
    if (this.closed) return;
    this.sock = sock;
    this.stepNow = 'handshake';
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('drain', () => this._onDrain.fire());
    // Simple handshake: zero in C1's version field tells servers not to expect the digest scheme.
    const c0c1 = Buffer.alloc(1 + HANDSHAKE_SIZE);
    c0c1[0] = RTMP_VERSION;
    randomFillSync(c0c1, 9);
    sock.write(c0c1);
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    if (this.stepNow === 'handshake') {
      this.handshakeBuf = this.handshakeBuf.length === 0 ? data : Buffer.concat([this.handshakeBuf, data]);
      // Judge the version byte at once: a non-RTMP server answers a few bytes and hangs up.
      if (this.handshakeBuf[0] !== RTMP_VERSION) {
        this.fail({ kind: 'protocol-error', message: `${this.target.where} does not speak RTMP: ${describeGarbage(this.handshakeBuf)}` });
        return;
      }
      if (this.handshakeBuf.length < 1 + 2 * HANDSHAKE_SIZE) return;
      const s1 = this.handshakeBuf.subarray(1, 1 + HANDSHAKE_SIZE);
      const rest = this.handshakeBuf.subarray(1 + 2 * HANDSHAKE_SIZE);
      this.handshakeBuf = Buffer.alloc(0);
      // C2 echoes S1; S2 is not checked (servers doing the digest handshake fill it differently).
      this.sock?.write(Buffer.from(s1));
      this.stepNow = 'rtmp';
      this._onOpen.fire();
      if (rest.length > 0) this.onMessages(rest);
      return;
    }
    this.onMessages(data);
  }

  private onMessages(data: Buffer): void {
    this.receivedBytes += data.length;
    let messages: RtmpMessage[];
    try {
      messages = this.reader.push(data);
    } catch (err) {
      this.fail({ kind: 'protocol-error', message: `${this.target.where} sent malformed RTMP: ${oneLine((err as Error).message)}` });
      return;
    }
    for (const m of messages) {
      if (this.closed) return;
      this.onMessage(m);
    }
    if (this.ackWindow > 0 && this.receivedBytes - this.lastAckSent >= this.ackWindow) {
      this.lastAckSent = this.receivedBytes;
      const p = Buffer.alloc(4);
      p.writeUInt32BE(this.receivedBytes >>> 0, 0);
      this.send({ csid: CONTROL_CSID, type: MessageType.acknowledgement, streamId: 0, timestamp: 0, payload: p });
    }
  }

  private onMessage(m: RtmpMessage): void {
    switch (m.type) {
      case MessageType.windowAckSize:
        if (m.payload.length >= 4) this.ackWindow = m.payload.readUInt32BE(0);
        return;
      case MessageType.acknowledgement:
        if (m.payload.length >= 4) {
          // A 32-bit sequence number that wraps: add the step.
          const seq = m.payload.readUInt32BE(0);
          this.acked += (seq - this.lastAckSeq) >>> 0;
          this.lastAckSeq = seq;
        }
        return;
      case MessageType.userControl:
        this.onUserControl(m.payload);
        return;
      case MessageType.amf0Command:
      case MessageType.amf3Command:
        this.onCommandMessage(m);
        return;
      default:
        return; // set peer bandwidth, data, media: nothing a publisher acts on
    }
  }

  private onUserControl(p: Buffer): void {
    if (p.length < 6) return;
    const event = p.readUInt16BE(0);
    if (event === USER_PING_REQUEST) {
      const pong = Buffer.alloc(6);
      pong.writeUInt16BE(USER_PING_RESPONSE, 0);
      p.copy(pong, 2, 2, 6);
      this.send({ csid: CONTROL_CSID, type: MessageType.userControl, streamId: 0, timestamp: 0, payload: pong });
    } else if (event === USER_PING_RESPONSE && this.pingSentAt !== null) {
      this.rtt = this.now() - this.pingSentAt;
      this.pingSentAt = null;
    }
  }

  private onCommandMessage(m: RtmpMessage): void {
    // An AMF3 command message is AMF0 after a one-byte format selector.
    const body = m.type === MessageType.amf3Command ? m.payload.subarray(1) : m.payload;
    let values: Amf0Value[];
    try {
      values = decodeAmf0Values(body);
    } catch (err) {
      this.fail({ kind: 'protocol-error', message: `${this.target.where} sent an unreadable command: ${oneLine((err as Error).message)}` });
      return;
    }
    const [name, tx, , ...args] = values;
    if (typeof name !== 'string') {
      this.fail({ kind: 'protocol-error', message: `${this.target.where} sent a command without a name` });
      return;
    }
    this._onCommand.fire({ name, transactionId: typeof tx === 'number' ? tx : 0, args, streamId: m.streamId });
  }

  private onSocketError(err: Error): void {
    if (this.closed) return;
    const code = errorCode(err);
    const t = this.target;
    const step = this.stepNow;
    if (code === 'ECONNREFUSED') {
      this.fail({ kind: 'refused', code, message: `${t.where} refused the connection: nothing is listening on port ${t.port}` });
    } else if (code !== undefined && UNREACHABLE_CODES.has(code)) {
      const dns = code.startsWith('EAI_') || code === 'ENOTFOUND';
      this.fail({ kind: 'unreachable', code, message: dns ? `Cannot resolve the host name ${t.host} (${code})` : `No route to ${t.where} (${code})` });
    } else if (code === 'ETIMEDOUT') {
      this.fail({ kind: 'timeout', code, message: `${t.where} did not answer ${STEP_WORDS[step]} (${code})` });
    } else if (step === 'tls' && code !== undefined && CERT_CODES.test(code)) {
      this.fail({ kind: 'tls-certificate', code, message: `TLS with ${t.where} failed: the certificate is not trusted: ${oneLine(err.message)} (${code})` });
    } else if (step === 'tls') {
      this.fail({ kind: 'tls', code, message: `TLS with ${t.where} failed: ${describeTlsError(err, code)}` });
    } else if (step === 'rtmp') {
      this.fail({ kind: 'closed', code, message: `${t.where} dropped the connection (${code ?? oneLine(err.message)})` });
    } else {
      this.fail({ kind: 'protocol-error', code, message: `${t.where} broke off ${STEP_WORDS[step]} (${code ?? oneLine(err.message)})` });
    }
  }

  private onSocketClose(): void {
    if (this.closed) return;
    const t = this.target;
    if (this.stepNow === 'rtmp') this.fail({ kind: 'closed', message: `${t.where} closed the connection` });
    else this.fail({ kind: 'protocol-error', message: `${t.where} closed the connection during ${STEP_WORDS[this.stepNow]}` });
  }
}
