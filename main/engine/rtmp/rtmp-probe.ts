// Setup probe for one RTMP server: can we reach it, does it speak RTMP, and does it
// accept connect(app)? It stops there, before publish, so probing never takes a
// stream name and never sends the stream key. Every outcome is a resolved
// ProbeOutcome (network trouble is a result, not an exception), and every path
// through it destroys the socket and clears its timer.
import { randomFillSync } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { SetupResult } from '../../../common/streaming.js';
import { parseRtmpTarget } from '../../../common/publish-url.js';
import { redactText } from '../../../common/redact.js';
import { decodeAmf0Values, encodeAmf0Values, isAmf0Object, type Amf0Value } from './amf0.js';
import { encodeChunks, MessageType, RtmpChunkReader, type RtmpMessage } from './chunks.js';

export interface ProbeOutcome {
  result: SetupResult;
  /** A short sentence for people; never contains the stream key or the query string. */
  message: string;
  elapsedMs: number;
}

export interface ProbeOptions {
  /** Deadline for the whole probe, from TCP connect to the connect(app) answer. Default 3000. */
  timeoutMs?: number;
  /** Aborting resolves promptly with result 'timeout' and an "aborted" message. */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 3000;
const HANDSHAKE_SIZE = 1536;
const RTMP_VERSION = 3;
const COMMAND_CSID = 3;
const CONTROL_CSID = 2;
const FLASH_VER = 'FMLE/3.0 (compatible; Tandem)';
// Server-provided text is shown to operators: keep it to one readable line.
const MAX_DESCRIPTION = 200;

const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

type Step = 'tcp' | 'tls' | 'handshake' | 'connect';

const STEP_WORDS: Record<Step, string> = {
  tcp: 'the TCP connection',
  tls: 'the TLS handshake',
  handshake: 'the RTMP handshake',
  connect: 'connect',
};

interface Target {
  secure: boolean;
  /** Hostname without IPv6 brackets, for the socket and TLS SNI. */
  host: string;
  port: number;
  /** host:port as people write it, for messages. */
  where: string;
  app: string;
  tcUrl: string;
}

/**
 * Probes `url` (rtmp:// or rtmps://) up to the server's answer to connect(app).
 * Resolves with ready | refused | timeout | rejected | unreachable | protocol-error.
 * Rejects only for a malformed URL, which is a caller bug (the config schema
 * admits no such URL).
 */
export async function probeRtmp(url: string, opts: ProbeOptions = {}): Promise<ProbeOutcome> {
  const target = parseTarget(url);
  return new Promise<ProbeOutcome>((resolve) => runProbe(target, opts, resolve));
}

function parseTarget(url: string): Target {
  const t = parseRtmpTarget(url);
  return { secure: t.scheme === 'rtmps:', host: t.host, port: t.port, where: t.where, app: t.app, tcUrl: t.tcUrl };
}

function runProbe(t: Target, opts: ProbeOptions, resolve: (o: ProbeOutcome) => void): void {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = opts.signal;
  const connectWords = `connect(${t.app})`;
  let step: Step = 'tcp';
  let settled = false;
  // Filled in as the connection progresses; finish() may run before either exists.
  const io: { raw?: net.Socket; sock?: net.Socket } = {};
  let handshakeBuf: Buffer = Buffer.alloc(0);
  const reader = new RtmpChunkReader();

  const finish = (result: SetupResult, message: string): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    io.sock?.destroy();
    io.raw?.destroy();
    const elapsedMs = Math.round(performance.now() - started);
    resolve({ result, message: redactText(message), elapsedMs });
  };

  const timer = setTimeout(() => {
    const secs = (timeoutMs / 1000).toFixed(1);
    const what = step === 'connect' ? `waiting for the answer to ${connectWords}` : `during ${STEP_WORDS[step]}`;
    finish('timeout', `${t.where} timed out ${what}: no progress within ${secs} s.`);
  }, timeoutMs);

  function onAbort(): void {
    finish('timeout', `Probe of ${t.where} aborted during ${step === 'connect' ? connectWords : STEP_WORDS[step]}.`);
  }
  if (signal?.aborted) {
    onAbort();
    return;
  }
  signal?.addEventListener('abort', onAbort, { once: true });

  const onError = (err: Error): void => {
    const code = errorCode(err);
    if (code === 'ECONNREFUSED') {
      finish('refused', `${t.where} refused the connection: nothing is listening on port ${t.port}.`);
    } else if (code !== undefined && UNREACHABLE_CODES.has(code)) {
      const dns = code.startsWith('EAI_') || code === 'ENOTFOUND';
      finish('unreachable', dns ? `Cannot resolve the host name ${t.host} (${code}).` : `No route to ${t.where} (${code}).`);
    } else if (code === 'ETIMEDOUT') {
      finish('timeout', `${t.where} did not answer ${STEP_WORDS[step]} (${code}).`);
    } else if (step === 'tls') {
      finish('protocol-error', `TLS with ${t.where} failed: ${describeTlsError(err, code)}.`);
    } else if (step === 'connect') {
      finish('rejected', `${t.where} dropped the connection after ${connectWords} (${code ?? oneLine(err.message)}).`);
    } else {
      finish('protocol-error', `${t.where} broke off ${STEP_WORDS[step]} (${code ?? oneLine(err.message)}).`);
    }
  };

  const onClose = (): void => {
    if (settled) return;
    if (step === 'connect') finish('rejected', `${t.where}: the server closed the connection after ${connectWords}.`);
    else finish('protocol-error', `${t.where} closed the connection during ${STEP_WORDS[step]}.`);
  };

  const onData = (data: Buffer): void => {
    if (settled) return;
    if (step === 'handshake') {
      handshakeBuf = handshakeBuf.length === 0 ? data : Buffer.concat([handshakeBuf, data]);
      // Judge the version byte as soon as it arrives: a non-RTMP server usually
      // answers a few bytes and hangs up, and "garbage" says more than "closed".
      if (handshakeBuf[0] !== RTMP_VERSION) {
        finish('protocol-error', `${t.where} does not speak RTMP: ${describeGarbage(handshakeBuf)}.`);
        return;
      }
      if (handshakeBuf.length < 1 + 2 * HANDSHAKE_SIZE) return;
      const s1 = handshakeBuf.subarray(1, 1 + HANDSHAKE_SIZE);
      const rest = handshakeBuf.subarray(1 + 2 * HANDSHAKE_SIZE);
      handshakeBuf = Buffer.alloc(0);
      step = 'connect';
      // C2 echoes S1; S2 is not checked because servers doing the digest
      // handshake fill it differently and that is not our concern here.
      io.sock?.write(Buffer.concat([Buffer.from(s1), connectCommand(t)]));
      if (rest.length > 0) onMessages(rest);
      return;
    }
    if (step === 'connect') onMessages(data);
  };

  const onMessages = (data: Buffer): void => {
    let messages: RtmpMessage[];
    try {
      messages = reader.push(data);
    } catch (err) {
      finish('protocol-error', `${t.where} sent malformed RTMP after the handshake: ${oneLine((err as Error).message)}.`);
      return;
    }
    for (const msg of messages) {
      if (settled) return;
      handleMessage(msg);
    }
  };

  const handleMessage = (msg: RtmpMessage): void => {
    if (msg.type === MessageType.userControl) {
      // Ping Request (6) gets a Ping Response (7); servers may drop silent peers.
      if (msg.payload.length >= 6 && msg.payload.readUInt16BE(0) === 6) {
        const pong = Buffer.alloc(6);
        pong.writeUInt16BE(7, 0);
        msg.payload.copy(pong, 2, 2, 6);
        io.sock?.write(encodeChunks({ csid: CONTROL_CSID, type: MessageType.userControl, streamId: 0, timestamp: 0, payload: pong }));
      }
      return;
    }
    if (msg.type !== MessageType.amf0Command && msg.type !== MessageType.amf3Command) return;
    // An AMF3 command message is AMF0 after a one-byte format selector.
    const body = msg.type === MessageType.amf3Command ? msg.payload.subarray(1) : msg.payload;
    let values: Amf0Value[];
    try {
      values = decodeAmf0Values(body);
    } catch (err) {
      finish('protocol-error', `${t.where} sent an unreadable command: ${oneLine((err as Error).message)}.`);
      return;
    }
    const name = values[0];
    const info = values[3];
    if (name === '_result') {
      finish('ready', `${t.where} accepted ${connectWords}.`);
    } else if (name === '_error') {
      finish('rejected', `${t.where} rejected ${connectWords}: ${describeStatus(info)}.`);
    } else if (name === 'onStatus' && isAmf0Object(info) && typeof info.code === 'string' && /^NetConnection\.Connect\.(Rejected|Failed)/.test(info.code)) {
      finish('rejected', `${t.where} rejected ${connectWords}: ${describeStatus(info)}.`);
    }
  };

  const startHandshake = (): void => {
    step = 'handshake';
    // Simple handshake: zero in C1's version field tells servers not to expect
    // the digest scheme, which both nginx-rtmp and node-media-server honour.
    const c0c1 = Buffer.alloc(1 + HANDSHAKE_SIZE);
    c0c1[0] = RTMP_VERSION;
    c0c1.writeUInt32BE(0, 1);
    randomFillSync(c0c1, 9);
    io.sock?.write(c0c1);
  };

  const raw = net.connect({ host: t.host, port: t.port });
  io.raw = raw;
  raw.on('error', onError);
  raw.on('close', onClose);
  raw.setNoDelay(true);
  raw.once('connect', () => {
    if (settled) return;
    if (!t.secure) {
      io.sock = raw;
      raw.on('data', onData);
      startHandshake();
      return;
    }
    step = 'tls';
    const secure = tls.connect({
      socket: raw,
      // SNI takes a name, never an address.
      servername: net.isIP(t.host) === 0 ? t.host : undefined,
    });
    io.sock = secure;
    secure.on('error', onError);
    secure.on('data', onData);
    secure.on('close', onClose);
    secure.once('secureConnect', () => {
      if (!settled) startHandshake();
    });
  });
}

function connectCommand(t: Target): Buffer {
  const payload = encodeAmf0Values([
    'connect',
    1,
    { app: t.app, type: 'nonprivate', flashVer: FLASH_VER, tcUrl: t.tcUrl },
  ]);
  return encodeChunks({ csid: COMMAND_CSID, type: MessageType.amf0Command, streamId: 0, timestamp: 0, payload });
}

function errorCode(err: Error): string | undefined {
  const direct = (err as NodeJS.ErrnoException).code;
  if (typeof direct === 'string') return direct;
  // Happy-eyeballs connects report every address's failure in an AggregateError.
  if (err instanceof AggregateError) {
    for (const e of err.errors as unknown[]) {
      const c = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
      if (typeof c === 'string') return c;
    }
  }
  return undefined;
}

function describeTlsError(err: Error, code: string | undefined): string {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'the port does not speak TLS (try rtmp://)';
  if (code === 'ECONNRESET') return 'the server hung up during the TLS handshake';
  // Certificate failures carry OpenSSL's short code and a readable message.
  if (code !== undefined && !code.startsWith('ERR_SSL')) return `${oneLine(err.message)} (${code})`;
  return code ?? oneLine(err.message);
}

function describeStatus(info: Amf0Value): string {
  if (isAmf0Object(info)) {
    const d = info.description ?? info.code;
    if (typeof d === 'string' && d.trim() !== '') return oneLine(d).replace(/\.+$/, '');
  }
  return 'no reason given';
}

function describeGarbage(buf: Buffer): string {
  const head = buf.subarray(0, 16).toString('latin1');
  if (/^HTTP\/\d/.test(head)) return 'it answered in HTTP';
  if (buf[0] === 0x15 || buf[0] === 0x16) return 'it answered with TLS (try rtmps://)';
  return `unexpected handshake version 0x${(buf[0] as number).toString(16).padStart(2, '0')}`;
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_DESCRIPTION ? `${flat.slice(0, MAX_DESCRIPTION)}…` : flat;
}
