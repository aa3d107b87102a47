// Publishes one live stream to one server over one RtmpConnection, as OBS and FMLE do: connect,
// releaseStream / FCPublish / createStream, publish(name, 'live'), then @setDataFrame and media.
// The server's answers decide: NetStream.Publish.Start (and no hang-up right after it) means the
// publish was taken; an error status, a _error or a close says why not, in the closed set of
// reasons. The full URL stays in this object: every sentence it produces has the key scrubbed.
import type tls from 'node:tls';
import { Emitter, type Event } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import { parseRtmpTarget, publishUrlSecrets, type RtmpTarget } from '../../../common/publish-url.js';
import { redactText } from '../../../common/redact.js';
import type { FailureReason } from '../../../common/streaming.js';
import { type Amf0Value, encodeAmf0, isAmf0Object } from './amf0.js';
import { MessageType } from './chunks.js';
import { type ConnectionFault, type FaultKind, type RtmpCommand, RtmpConnection } from './rtmp-connection.js';
import { describeStatus, FLASH_VER } from './rtmp-probe.js';

export interface PublishFailure {
  reason: FailureReason;
  /** In words, without the stream key or signature. */
  message: string;
}

export interface PublisherOptions {
  /** The full publish URL, key included. */
  url: string;
  secureContext?: tls.SecureContext;
  now?: () => number;
  /** A hang-up this soon after Publish.Start is a refusal (node-media-server answers Start, then checks the key). */
  confirmMs?: number;
  /** How often to ping the server for a round-trip figure. */
  pingIntervalMs?: number;
}

/** Where the publish is: what a timeout or a hang-up is blamed on. */
export type PublishPhase = 'connecting' | 'connect' | 'publish' | 'confirming' | 'publishing' | 'closed';

const OUT_CHUNK_SIZE = 4096;
/** The server acknowledges every this many bytes (servers that send acknowledgements at all). */
export const ACK_WINDOW = 64 * 1024;
const CSID = { data: 4, audio: 5, video: 6 } as const;
const TX = { connect: 1, releaseStream: 2, fcPublish: 3, createStream: 4, publish: 5 } as const;
const SET_DATA_FRAME = encodeAmf0('@setDataFrame');

const FAULT_REASON: Record<Exclude<FaultKind, 'closed'>, FailureReason> = {
  refused: 'refused',
  unreachable: 'unreachable',
  timeout: 'timeout',
  tls: 'protocol-error',
  'tls-certificate': 'tls-certificate',
  'protocol-error': 'protocol-error',
};

export class RtmpPublisher implements IDisposable {
  private readonly target: RtmpTarget;
  private readonly conn: RtmpConnection;
  private readonly secrets: string[];
  private readonly now: () => number;
  private phaseNow: PublishPhase = 'connecting';
  private streamId = 0;
  private startedAt: number | null = null;
  private confirmTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private done = false;

  private readonly _onStart = new Emitter<void>();
  /** Publish.Start: media may flow from now on. */
  readonly onStart = this._onStart.event;
  private readonly _onConfirm = new Emitter<void>();
  /** Still publishing confirmMs after Publish.Start: the server took the publish. */
  readonly onConfirm = this._onConfirm.event;
  private readonly _onFail = new Emitter<PublishFailure>();
  /** Fires once; the connection is closed by then. */
  readonly onFail = this._onFail.event;
  /** The socket wants more: pump media again. */
  readonly onDrain: Event<void>;

  constructor(private readonly opts: PublisherOptions) {
    this.target = parseRtmpTarget(opts.url);
    this.secrets = publishUrlSecrets(opts.url).sort((a, b) => b.length - a.length);
    this.now = opts.now ?? Date.now;
    this.conn = new RtmpConnection(this.target, { ...(opts.secureContext ? { secureContext: opts.secureContext } : {}), now: this.now });
    this.onDrain = this.conn.onDrain;
    this.conn.onOpen(() => this.handleOpen());
    this.conn.onCommand((c) => this.onCommand(c));
    this.conn.onFail((f) => this.onFault(f));
  }

  get phase(): PublishPhase {
    return this.phaseNow;
  }

  /** Media may be sent (Publish.Start arrived and nothing failed since). */
  get isPublishing(): boolean {
    return this.phaseNow === 'confirming' || this.phaseNow === 'publishing';
  }

  get bufferedBytes(): number {
    return this.conn.bufferedBytes;
  }

  get flushedBytes(): number {
    return this.conn.flushedBytes;
  }

  get ackedBytes(): number {
    return this.conn.ackedBytes;
  }

  get rttMs(): number | null {
    return this.conn.rttMs;
  }

  get ports(): { local: number; remote: number } | null {
    return this.conn.ports;
  }

  /** What we are waiting for, in words, for a timeout's sentence. */
  get waitingFor(): string {
    const app = `connect(${this.target.app})`;
    switch (this.phaseNow) {
      case 'connecting':
        return this.conn.step === 'tls' ? 'the TLS handshake' : this.conn.step === 'tcp' ? 'the TCP connection' : 'the RTMP handshake';
      case 'connect':
        return `the answer to ${app}`;
      case 'publish':
        return 'the answer to the publish command';
      default:
        return 'nothing';
    }
  }

  start(): void {
    this.conn.open();
  }

  /** An FLV script tag body (onMetaData …), sent as @setDataFrame so the server keeps it for players. */
  sendMetadata(data: Buffer, timestamp = 0): boolean {
    const framed = data.subarray(0, SET_DATA_FRAME.length).equals(SET_DATA_FRAME) ? data : Buffer.concat([SET_DATA_FRAME, data]);
    return this.conn.send({ csid: CSID.data, type: MessageType.amf0Data, streamId: this.streamId, timestamp, payload: framed });
  }

  /** An FLV audio (8) or video (9) tag body at `timestamp` ms on this server's timeline. */
  sendMedia(type: number, timestamp: number, data: Buffer): boolean {
    const csid = type === MessageType.audio ? CSID.audio : CSID.video;
    return this.conn.send({ csid, type, streamId: this.streamId, timestamp, payload: data });
  }

  /** Batches the messages sent until uncork() into one write. */
  cork(): void {
    this.conn.cork();
  }

  uncork(): void {
    this.conn.uncork();
  }

  /** Fails the publish from outside (a timeout, a stall) with the caller's reason. */
  fail(failure: PublishFailure): void {
    if (this.done) return;
    this.finish(failure);
    this.conn.dispose();
  }

  /** Unpublishes politely (FCUnpublish, deleteStream) and closes. No failure fires. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.clearTimers();
    if (this.isPublishing && this.conn.isOpen) {
      const name = this.target.streamName;
      this.conn.command('FCUnpublish', 0, null, [name]);
      this.conn.command('deleteStream', 0, null, [this.streamId]);
    }
    this.phaseNow = 'closed';
    this.conn.end();
    this.disposeEmitters();
  }

  /** Drops the connection at once, without a word to the server. No failure fires. */
  dispose(): void {
    this.done = true;
    this.phaseNow = 'closed';
    this.clearTimers();
    this.conn.dispose();
    this.disposeEmitters();
  }

  private handleOpen(): void {
    const t = this.target;
    this.phaseNow = 'connect';
    this.conn.setChunkSize(OUT_CHUNK_SIZE);
    this.conn.setWindowAckSize(ACK_WINDOW);
    this.conn.command('connect', TX.connect, { app: t.app, type: 'nonprivate', flashVer: FLASH_VER, tcUrl: t.tcUrl });
  }

  private onCommand(c: RtmpCommand): void {
    if (this.done) return;
    const info = c.args[0];
    if (c.name === '_result' && c.transactionId === TX.connect && this.phaseNow === 'connect') {
      this.phaseNow = 'publish';
      const name = this.target.streamName;
      this.conn.command('releaseStream', TX.releaseStream, null, [name]);
      this.conn.command('FCPublish', TX.fcPublish, null, [name]);
      this.conn.command('createStream', TX.createStream, null);
      return;
    }
    if (c.name === '_result' && c.transactionId === TX.createStream && this.phaseNow === 'publish') {
      const id = c.args[0];
      this.streamId = typeof id === 'number' && id > 0 ? id : 1;
      this.conn.command('publish', TX.publish, null, [this.target.streamName, 'live'], this.streamId, CSID.data);
      return;
    }
    if (c.name === '_error') {
      // releaseStream and FCPublish are optional: some servers answer them with _error.
      if (c.transactionId === TX.releaseStream || c.transactionId === TX.fcPublish) return;
      if (c.transactionId === TX.connect) this.finish(connectRefusal(this.target, info, this.scrub.bind(this)));
      else this.finish(publishRefusal(this.target, info, this.scrub.bind(this)));
      this.conn.dispose();
      return;
    }
    if (c.name !== 'onStatus' || info === undefined || !isAmf0Object(info)) return;
    const code = typeof info.code === 'string' ? info.code : '';
    if (code === 'NetStream.Publish.Start') {
      this.onPublishStart();
      return;
    }
    const isError = info.level === 'error' || /Failed|BadName|Rejected|Unauthorized|Denied|Error/.test(code);
    if (!isError) return;
    if (code.startsWith('NetConnection.Connect')) this.finish(connectRefusal(this.target, info, this.scrub.bind(this)));
    else this.finish(publishRefusal(this.target, info, this.scrub.bind(this)));
    this.conn.dispose();
  }

  private onPublishStart(): void {
    if (this.phaseNow !== 'publish') return;
    this.phaseNow = 'confirming';
    this.startedAt = this.now();
    this._onStart.fire();
    this.confirmTimer = setTimeout(() => {
      this.confirmTimer = null;
      if (this.done) return;
      this.phaseNow = 'publishing';
      this._onConfirm.fire();
    }, this.opts.confirmMs ?? 200);
    this.confirmTimer.unref();
    this.conn.ping();
    this.pingTimer = setInterval(() => this.conn.ping(), this.opts.pingIntervalMs ?? 2000);
    this.pingTimer.unref();
  }

  private onFault(f: ConnectionFault): void {
    if (this.done) return;
    const where = this.target.where;
    if (f.kind !== 'closed') {
      this.finish({ reason: FAULT_REASON[f.kind], message: this.scrub(f.message) });
      return;
    }
    switch (this.phaseNow) {
      case 'connect':
        this.finish({
          reason: 'app-not-found',
          message: `${where} closed the connection after connect(${this.target.app}): it has no application "${this.target.app}", or it refuses this client`,
        });
        return;
      case 'publish':
      case 'confirming':
        this.finish({
          reason: 'publish-rejected',
          message: `${where} hung up ${this.phaseNow === 'publish' ? 'after the publish command' : 'right after accepting the publish'}: the stream key or signature was likely refused`,
        });
        return;
      default:
        this.finish({ reason: 'closed-by-server', message: `${where} closed the live stream${f.code ? ` (${f.code})` : ''}` });
    }
  }

  private finish(failure: PublishFailure): void {
    if (this.done) return;
    this.done = true;
    this.phaseNow = 'closed';
    this.clearTimers();
    this._onFail.fire({ reason: failure.reason, message: this.scrub(failure.message) });
    this.disposeEmitters();
  }

  /** Removes the key and signature from a sentence (servers echo the stream name in their descriptions). */
  private scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('••••');
    return redactText(out);
  }

  private clearTimers(): void {
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.confirmTimer = null;
    this.pingTimer = null;
  }

  private disposeEmitters(): void {
    this._onStart.dispose();
    this._onConfirm.dispose();
    this._onFail.dispose();
  }
}

/** connect(app) refused: a missing application, or a server that does not want this client. */
function connectRefusal(t: RtmpTarget, info: Amf0Value | undefined, scrub: (s: string) => string): PublishFailure {
  const said = scrub(describeStatus(info));
  const code = info !== undefined && isAmf0Object(info) && typeof info.code === 'string' ? info.code : '';
  if (/InvalidApp|app(lication)? (not found|does not exist)|no such app|unknown app/i.test(`${code} ${said}`)) {
    return { reason: 'app-not-found', message: `${t.where} has no application "${t.app}" (server said: ${said})` };
  }
  return { reason: 'rejected', message: `${t.where} refused connect(${t.app}): ${said}` };
}

/** publish refused: a taken stream name, an expired signature, or a wrong key, by the server's words. */
export function publishRefusal(t: RtmpTarget, info: Amf0Value | undefined, scrub: (s: string) => string): PublishFailure {
  const said = scrub(describeStatus(info));
  if (/already (publishing|has a publisher|in use)|in use|busy|stream-busy/i.test(said)) {
    return { reason: 'stream-in-use', message: `Another publisher holds this stream on ${t.where} (server said: ${said})` };
  }
  if (/expired/i.test(said)) {
    return { reason: 'signature-expired', message: `${t.where} refused the publish: the signed URL has expired (server said: ${said})` };
  }
  return { reason: 'key-refused', message: `${t.where} refused the stream key or signature (server said: ${said})` };
}
