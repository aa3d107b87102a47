// POST /probe/upload: the presenter's preflight sends a few seconds of bytes and the node answers
// with what arrived and over how long (common/upload-probe.ts). It must not be an open bandwidth
// sink: the presenter token is required when the node has one, every address may run one probe at
// a time and a few a minute (app/control/address-limits.ts), the node runs a few at once in all,
// and one probe is bounded in bytes (MAX_PROBE_BYTES) and time (its window, at most 5 s).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IDisposable } from '../../common/lifecycle.js';
import { MAX_PROBE_BYTES, MAX_PROBE_WINDOW_MS, PROBE_WINDOW_PARAM, UPLOAD_PROBE_PATH, probeWindowMs, type UploadProbeResult } from '../../common/upload-probe.js';
import { AddressLimits, type AddressLimitOptions } from '../control/address-limits.js';
import { clientAddress, normalizeAddress } from '../control/client-address.js';
import { PresenterToken } from '../control/presenter-token.js';
import type { Logger } from '../logger.js';
import type { PublicServer } from './public-server.js';

/** Probes the node runs at once, from every address together. */
const MAX_CONCURRENT = 4;
/** After its answer a probe's socket is no longer read; a sender that does not hang up is cut after this. */
const HANG_UP_GRACE_MS = 2000;
/** A refused request's body is read only this far, and this long, before its connection is cut. */
const REFUSED_DRAIN_BYTES = 256 * 1024;
const REFUSED_DRAIN_MS = 1000;

export interface UploadProbeOptions {
  /** The node's presenter token; undefined: any address may probe, within its limits. */
  token: string | undefined;
  trustedProxies: readonly string[];
  limits: AddressLimitOptions;
  log: Logger;
  /** Tests lower the byte cap. */
  maxBytes?: number;
}

/**
 * Writes a whole JSON answer (its length given, so the client knows it is complete) without ending
 * the response: Node closes a connection whose response ends before its request body did, and a
 * close with unread bytes is a reset that can reach the sender before the answer does. The socket
 * is cut later, by the caller's grace timer, once the sender had time to read and hang up.
 */
function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
  res.write(text);
}

/** The Bearer token of a request, or undefined. */
function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

export function registerUploadProbe(server: PublicServer, o: UploadProbeOptions): IDisposable {
  const token = new PresenterToken(o.token);
  const trusted = new Set(o.trustedProxies.map(normalizeAddress));
  const perAddress = new AddressLimits(o.limits);
  const maxBytes = o.maxBytes ?? MAX_PROBE_BYTES;
  let running = 0;

  const handle = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    if (token.configured) {
      if (!token.matches(bearer(req))) return refuse(req, res, 401, 'This node takes an upload test only with its presenter token', { 'www-authenticate': 'Bearer' });
    }
    if (running >= MAX_CONCURRENT) return refuse(req, res, 503, 'This node is running other upload tests: try again in a few seconds');
    const address = clientAddress(req, trusted);
    const refusal = perAddress.startProbe(address);
    if (refusal === 'busy') return refuse(req, res, 429, 'An upload test from your address is already running');
    if (refusal === 'rate') return refuse(req, res, 429, 'Too many upload tests from your address: wait a minute');
    running++;
    const windowMs = probeWindowMs(url.searchParams.get(PROBE_WINDOW_PARAM));
    o.log.info({ address, windowMs }, 'upload test started');
    // A sender that waits for 100 Continue (the engine's preflight does) sends its bytes only now.
    if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue();
    let bytes = 0;
    let first = 0;
    let startedAt: number | null = null;
    let done = false;
    // Bounded in time from the request's arrival too, whether or not bytes ever come.
    const deadline = setTimeout(() => finish(false), MAX_PROBE_WINDOW_MS);
    let windowTimer: NodeJS.Timeout | null = null;

    const finish = (capped: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      if (windowTimer) clearTimeout(windowTimer);
      // Not read any further: the rest of the body waits in the sender's buffers until it hangs up.
      req.off('data', onData);
      req.pause();
      running--;
      perAddress.endProbe(address);
      const ms = startedAt === null ? 0 : performance.now() - startedAt;
      const counted = bytes - first;
      const result: UploadProbeResult = { bytes, ms: Math.round(ms * 10) / 10, rateBps: ms >= 1 && counted > 0 ? Math.round((counted * 8 * 1000) / ms) : null, capped };
      answer(res, 200, result);
      o.log.info({ address, bytes, ms: result.ms, capped }, 'upload test done');
      setTimeout(() => req.socket.destroy(), HANG_UP_GRACE_MS).unref();
    };
    const onData = (chunk: Buffer): void => {
      if (startedAt === null) {
        startedAt = performance.now();
        first = chunk.length;
        windowTimer = setTimeout(() => finish(false), windowMs);
      }
      bytes += chunk.length;
      if (bytes >= maxBytes) finish(true);
    };
    req.on('data', onData);
    req.once('end', () => finish(false));
    req.once('close', () => finish(false));
  };

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, error: string, headers?: Record<string, string>): void => {
    o.log.info({ status, address: clientAddress(req, trusted) }, 'upload test refused');
    answer(res, status, { error }, headers);
    // A sender that asked for 100 Continue has sent nothing. One that did not is read (so it is
    // not reset mid-write before it reads the answer) up to a small bound and a second, then no
    // more; its connection is cut once it had time to read the answer.
    let drained = 0;
    const stop = (): void => {
      clearTimeout(drainTimer);
      req.off('data', onData);
      req.pause();
      setTimeout(() => req.socket.destroy(), HANG_UP_GRACE_MS).unref();
    };
    const onData = (d: Buffer): void => {
      drained += d.length;
      if (drained > REFUSED_DRAIN_BYTES) stop();
    };
    const drainTimer = setTimeout(stop, REFUSED_DRAIN_MS);
    req.on('data', onData);
    req.once('close', () => clearTimeout(drainTimer));
  };

  return server.route(['POST'], UPLOAD_PROBE_PATH, handle, { manualContinue: true });
}
