// Setup probe for one RTMP server: can we reach it, does it speak RTMP, and does it
// accept connect(app)? It stops there, before publish, so probing never takes a
// stream name and never sends the stream key. Every outcome is a resolved
// ProbeOutcome (network trouble is a result, not an exception), and every path
// through it destroys the socket and clears its timer.
import { performance } from 'node:perf_hooks';
import type { SetupResult } from '../../../common/streaming.js';
import { parseRtmpTarget, type RtmpTarget } from '../../../common/publish-url.js';
import { redactText } from '../../../common/redact.js';
import { isAmf0Object, type Amf0Value } from './amf0.js';
import { type ConnectionStep, type FaultKind, RtmpConnection } from './rtmp-connection.js';
import { oneLine } from './rtmp-words.js';

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
/** What the engine calls itself in connect's flashVer (FMLE-compatible: servers treat it as an encoder). */
export const FLASH_VER = 'FMLE/3.0 (compatible; Tandem)';

const STEP_WORDS: Record<ConnectionStep, string> = {
  tcp: 'the TCP connection',
  tls: 'the TLS handshake',
  handshake: 'the RTMP handshake',
  rtmp: 'connect',
};

interface Target {
  target: RtmpTarget;
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
  return { target: t, where: t.where, app: t.app, tcUrl: t.tcUrl };
}

function runProbe(t: Target, opts: ProbeOptions, resolve: (o: ProbeOutcome) => void): void {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = opts.signal;
  const connectWords = `connect(${t.app})`;
  let settled = false;
  let connectSent = false;
  const conn = new RtmpConnection(t.target);
  const stepWords = (): string => (connectSent ? connectWords : STEP_WORDS[conn.step]);

  const finish = (result: SetupResult, message: string): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    conn.dispose();
    const elapsedMs = Math.round(performance.now() - started);
    resolve({ result, message: redactText(message), elapsedMs });
  };

  const timer = setTimeout(() => {
    const secs = (timeoutMs / 1000).toFixed(1);
    const what = connectSent ? `waiting for the answer to ${connectWords}` : `during ${STEP_WORDS[conn.step]}`;
    finish('timeout', `${t.where} timed out ${what}: no progress within ${secs} s.`);
  }, timeoutMs);

  function onAbort(): void {
    finish('timeout', `Probe of ${t.where} aborted during ${stepWords()}.`);
  }
  if (signal?.aborted) {
    onAbort();
    return;
  }
  signal?.addEventListener('abort', onAbort, { once: true });

  conn.onFail((f) => {
    if (f.kind === 'closed') {
      finish('rejected', `${t.where}: the server closed the connection after ${connectWords}${f.code ? ` (${f.code})` : ''}.`);
      return;
    }
    finish(FAULT_RESULT[f.kind], `${f.message}.`);
  });
  conn.onOpen(() => {
    connectSent = true;
    conn.command('connect', 1, { app: t.app, type: 'nonprivate', flashVer: FLASH_VER, tcUrl: t.tcUrl });
  });
  conn.onCommand((c) => {
    const info = c.args[0];
    if (c.name === '_result' && c.transactionId === 1) {
      finish('ready', `${t.where} accepted ${connectWords}.`);
    } else if (c.name === '_error') {
      finish('rejected', `${t.where} rejected ${connectWords}: ${describeStatus(info)}.`);
    } else if (c.name === 'onStatus' && isAmf0Object(info) && typeof info.code === 'string' && /^NetConnection\.Connect\.(Rejected|Failed)/.test(info.code)) {
      finish('rejected', `${t.where} rejected ${connectWords}: ${describeStatus(info)}.`);
    }
  });
  conn.open();
}

const FAULT_RESULT: Record<FaultKind, SetupResult> = {
  refused: 'refused',
  unreachable: 'unreachable',
  timeout: 'timeout',
  tls: 'protocol-error',
  'tls-certificate': 'protocol-error',
  'protocol-error': 'protocol-error',
  closed: 'rejected',
};

/** The server's description (or code) from an onStatus or _error info object, on one line. */
export function describeStatus(info: Amf0Value | undefined): string {
  if (info !== undefined && isAmf0Object(info)) {
    const d = info.description ?? info.code;
    if (typeof d === 'string' && d.trim() !== '') return oneLine(d).replace(/\.+$/, '');
  }
  return 'no reason given';
}
