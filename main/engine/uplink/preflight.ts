// The preflight upload check before Go Live: a few seconds of real bytes to every Tandem node at
// the same time (common/upload-probe.ts), each node saying what reached it. Probed together, the
// sum is what the presenter's one shared upload carries to N servers, and a node far below the
// others shows a path that is slow alone. Plain RTMP servers cannot take bytes without a publish:
// they are said to be not measured, and the verdict (preflight-verdict.ts) judges by the others.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { SecureContext } from 'node:tls';
import { controlSocketUrl } from '../../../common/control-protocol.js';
import { DEFAULT_PROBE_WINDOW_MS, MAX_PROBE_BYTES, uploadProbeResultSchema, uploadProbeUrl, type UploadProbeResult } from '../../../common/upload-probe.js';
import { cleartextRefusal } from '../control/control-session.js';
import { rtmpsSecureContext } from '../rtmp/trust-store.js';
import type { ServerUploadResult, VerdictInput } from './preflight-verdict.js';

/** What the preflight needs of a server: Tandem nodes have a control URL (and usually a presenter token). */
export interface PreflightServer {
  id: string;
  controlUrl?: string;
  controlToken?: string;
}

export interface PreflightOptions {
  /** How long every node is sent bytes (the node bounds it to 0.5–5 s). */
  windowMs?: number;
  /** Roots a https:// node's certificate must chain to; the engine's one trust store by default. */
  secureContext?: SecureContext;
}

export interface PreflightResult {
  servers: ServerUploadResult[];
  /** What the nodes received together, bits/s; null when no node was measured. */
  uploadBps: number | null;
  /** A node stopped at its byte cap: the upload is at least uploadBps. */
  capped: boolean;
  /** Why nothing was measured, when uploadBps is null. */
  unmeasured?: VerdictInput['unmeasured'];
}

export const PLAIN_RTMP = 'plain RTMP server (it cannot take a test without publishing)';
/** Past its window, a node has this long to answer before its probe counts as unanswered. */
const ANSWER_GRACE_MS = 3000;
/** The bytes sent: random, so no compressing middlebox flatters the figure. */
const CHUNK = randomBytes(64 * 1024);
/** An answer is a small JSON object. */
const MAX_ANSWER_BYTES = 4096;

type ProbeOutcome = { ok: true; result: UploadProbeResult } | { ok: false; reason: string };

/** Sends bytes to one node for `windowMs` and reads its answer; never throws. */
function probeNode(controlUrl: string, token: string | undefined, windowMs: number, secureContext: SecureContext | undefined): Promise<ProbeOutcome> {
  let url: URL;
  try {
    url = new URL(uploadProbeUrl(controlUrl, windowMs));
  } catch {
    return Promise.resolve({ ok: false, reason: 'the control URL is not a valid URL' });
  }
  // The token goes in cleartext only to this machine (the control session's rule).
  const cleartext = token ? cleartextRefusal(controlSocketUrl(controlUrl)) : null;
  if (cleartext) return Promise.resolve({ ok: false, reason: cleartext });
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    // The node refuses (token, limits) before the first byte: 100 Continue is its go.
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', expect: '100-continue' };
    if (token) headers.authorization = `Bearer ${token}`;
    const options = { method: 'POST', headers, agent: false as const, ...(secure ? { secureContext: secureContext ?? rtmpsSecureContext() } : {}) };
    const req = (secure ? https : http).request(url, options, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_ANSWER_BYTES) return settle({ ok: false, reason: 'the node answered with something that is not an upload test result' });
        parts.push(d);
      });
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          // judged below
        }
        if (res.statusCode !== 200) return settle({ ok: false, reason: refusalReason(res.statusCode ?? 0, body, token !== undefined) });
        const parsed = uploadProbeResultSchema.safeParse(body);
        settle(parsed.success ? { ok: true, result: parsed.data } : { ok: false, reason: 'the node answered with something that is not an upload test result' });
      });
      res.on('error', () => settle({ ok: false, reason: 'the node cut its answer short' }));
    });
    const timer = setTimeout(() => settle({ ok: false, reason: `no answer within ${Math.round((windowMs + ANSWER_GRACE_MS) / 1000)} s` }), windowMs + ANSWER_GRACE_MS);
    req.on('error', (err: NodeJS.ErrnoException) => settle({ ok: false, reason: networkReason(err) }));
    // Sends as fast as the socket takes, until the node answers, the window has passed or the node's cap is sent.
    let stopAt = Infinity;
    let sent = 0;
    req.once('continue', () => {
      stopAt = performance.now() + windowMs + 500;
      pump();
    });
    const pump = (): void => {
      while (!settled && !req.destroyed) {
        if (sent >= MAX_PROBE_BYTES + CHUNK.length || performance.now() >= stopAt) return void req.end();
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once('drain', pump);
      }
    };
    req.flushHeaders();
  });
}

function refusalReason(status: number, body: unknown, hadToken: boolean): string {
  const said = body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error.slice(0, 200) : null;
  if (status === 401) return hadToken ? 'the node refused the presenter token' : 'this node takes the test only with its presenter token: add it to the server';
  if (status === 404 || status === 405) return 'this node has no upload test (an older Tandem node?)';
  return said ? `the node refused: ${said}` : `the node answered HTTP ${status}`;
}

function networkReason(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return 'unreachable: nothing listens at the control URL';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'unreachable: the control URL\'s host name is not known';
  if (err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT') || err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT') return `the node's certificate is not trusted (${err.code})`;
  return `unreachable (${err.code ?? err.message})`;
}

/**
 * Probes every Tandem node at the same time and returns what reached each and what the upload
 * carried in all. A node that did not answer is left out of the sum and says why.
 */
export async function preflightUpload(servers: readonly PreflightServer[], o: PreflightOptions = {}): Promise<PreflightResult> {
  const windowMs = o.windowMs ?? DEFAULT_PROBE_WINDOW_MS;
  const outcomes = await Promise.all(
    servers.map((s) => (s.controlUrl ? probeNode(s.controlUrl, s.controlToken, windowMs, o.secureContext) : Promise.resolve<ProbeOutcome | null>(null))),
  );
  let uploadBps = 0;
  let measured = 0;
  let capped = false;
  const results = servers.map((s, i): ServerUploadResult => {
    const out = outcomes[i];
    if (!out) return { id: s.id, bps: null, reason: PLAIN_RTMP };
    if (!out.ok) return { id: s.id, bps: null, reason: out.reason };
    if (out.result.rateBps === null) return { id: s.id, bps: null, reason: 'too few bytes reached the node to measure' };
    uploadBps += out.result.rateBps;
    measured++;
    capped ||= out.result.capped;
    return { id: s.id, bps: out.result.rateBps, reason: 'measured', ...(out.result.capped ? { capped: true } : {}) };
  });
  if (measured > 0) return { servers: results, uploadBps, capped };
  return { servers: results, uploadBps: null, capped: false, unmeasured: outcomes.some((x) => x !== null) ? 'no-answer' : 'no-nodes' };
}
