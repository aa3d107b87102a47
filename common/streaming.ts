// The streaming model shared by the engine, the shell, the renderer and the CLI:
// server configuration, per-server states and reasons, setup results, snapshots.
// Everything that crosses a process boundary is parsed with these schemas.
import { z } from 'zod';
import { ID_PATTERN, MAX_ID_CHARS, MAX_LABEL_CHARS, MAX_STREAM_KEY_CHARS, MAX_TOKEN_CHARS, MIN_TOKEN_CHARS } from './limits.js';
import { publishUrlProblem } from './publish-url.js';

/** A server's lifecycle as the engine drives it. */
// 'paused': the uplink controller took the server out while the upload cannot carry it (issue #12).
export const serverStates = ['idle', 'connecting', 'live', 'reconnecting', 'failed', 'paused', 'stopped'] as const;
export type ServerState = (typeof serverStates)[number];

/**
 * Why a server is not (or no longer) live: a closed set, so the UI and operators
 * can act on it. Each comes with a human sentence in `message`.
 */
export const failureReasons = [
  'refused', // nothing listens on the port (TCP RST)
  'timeout', // no answer within the deadline (host silent, handshake or connect not answered)
  'rejected', // the server refused the RTMP connect(app)
  'publish-rejected', // connect accepted, publish refused without saying why (closed right after it)
  'key-refused', // the server said the stream key or signature is wrong
  'signature-expired', // the server said the signed URL has expired
  'app-not-found', // the server has no such application (nginx-rtmp closes after connect(app))
  'stream-in-use', // another publisher holds this stream name
  'stalled', // the server stopped reading (its TCP receive window stays closed)
  'connection-lost', // the server stopped acknowledging TCP packets (half-open: host or network gone)
  'tls-certificate', // the RTMPS certificate is not trusted (expired, self-signed, wrong name)
  'closed-by-server', // the server closed a live session
  'unreachable', // name does not resolve, or no route to host
  'protocol-error', // the peer is not speaking RTMP as expected
] as const;
export type FailureReason = (typeof failureReasons)[number];

export const setupResults = ['ready', 'refused', 'timeout', 'rejected', 'unreachable', 'protocol-error'] as const;
export type SetupResult = (typeof setupResults)[number];

/** Seed-compatible aggregate codes (MultiConnection.onStatus in the 2004 article). */
export const SETUP_SUCCESS = 'NetConnection.Setup.Success';
export const SETUP_FAILED = 'NetConnection.Setup.Failed';
export type SetupCode = typeof SETUP_SUCCESS | typeof SETUP_FAILED;

const rtmpUrl = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    const problem = publishUrlProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const serverConfigSchema = z.object({
  id: z.string().regex(ID_PATTERN, `Server ids are 1–${MAX_ID_CHARS} letters, digits, _ . or -`),
  /** rtmp[s]://host[:port]/app[/streamKey][?query]; the key may also be given separately. */
  url: rtmpUrl,
  /** Stream key (a secret), appended to the URL's path when present. */
  streamKey: z.string().max(MAX_STREAM_KEY_CHARS, `The stream key is at most ${MAX_STREAM_KEY_CHARS} characters`).optional(),
  label: z.string().max(MAX_LABEL_CHARS, `Names are at most ${MAX_LABEL_CHARS} characters`).optional(),
  /**
   * Tandem nodes only: the node's base URL (http[s]://host:port, as the studio stores it) or its
   * control endpoint (ws[s]://host:port/control). Plain RTMP servers have none.
   */
  controlUrl: z
    .string()
    .trim()
    .refine((s) => {
      try {
        return ['ws:', 'wss:', 'http:', 'https:'].includes(new URL(s).protocol);
      } catch {
        return false;
      }
    }, 'The control URL is the node address, like http://host:8080 or ws://host:8080/control')
    .optional(),
  /** The node's presenter token (a secret, never logged). */
  controlToken: z
    .string()
    .min(MIN_TOKEN_CHARS, `The control token is at least ${MIN_TOKEN_CHARS} characters`)
    .max(MAX_TOKEN_CHARS, `The control token is at most ${MAX_TOKEN_CHARS} characters`)
    .optional(),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;

export interface ServerMetrics {
  bytesSent: number;
  /** Bits per second over the last second. */
  bitrateBps: number;
  /** Milliseconds in the current live session, 0 when not live. */
  uptimeMs: number;
  reconnects: number;
  droppedGops: number;
  lastError: string | null;
  /** Bytes the server acknowledged receiving (RTMP Acknowledgement) in this and earlier sessions. */
  ackedBytes?: number;
  /** Bits per second handed to the kernel for this server over the last second. */
  sendBps?: number;
  /** Bytes waiting in the engine for this server (its backlog and socket buffer). */
  queuedBytes?: number;
  /** Media time the oldest waiting tag has been queued, ms (0 when nothing waits). */
  queueAgeMs?: number;
  /** Media ms between the newest tag sent and the newest the server acknowledged reading; null before its first acknowledgement. */
  lagMs?: number | null;
  /** Round trip of the last answered RTMP ping, ms; null when the server answers none. */
  rttMs?: number | null;
  /** Refusals in a row; at 3 the engine stops retrying until retry() (a wrong key does not heal). */
  refusals?: number;
  /** The engine stopped retrying (refusals reached the limit) and waits for retry(). */
  waitingForPresenter?: boolean;
}

export interface ServerSnapshot {
  id: string;
  /** URL with the stream key and query masked: safe to show and log. */
  label: string;
  state: ServerState;
  reason: FailureReason | null;
  /** The state and reason in words, for a presenter. */
  message: string;
  /** Epoch ms of the last state change. */
  since: number;
  /** When reconnecting: epoch ms of the next attempt. */
  nextAttemptAt: number | null;
  metrics: ServerMetrics;
  /** The server's control session (Tandem nodes); absent before the engine knows. */
  control?: ControlStatus;
}

export const controlStates = ['none', 'connecting', 'connected', 'reconnecting', 'failed'] as const;
export type ControlState = (typeof controlStates)[number];

export interface ControlStatus {
  state: ControlState;
  /** In words: "no control session (plain RTMP server)", "connected to node-2", … */
  message: string;
}

export interface ServerSetupResult {
  id: string;
  label: string;
  result: SetupResult;
  message: string;
  elapsedMs: number;
  /** The control session's state at the end of the setup window. */
  control?: ControlStatus;
}

export interface SetupStatus {
  code: SetupCode;
  servers: ServerSetupResult[];
}

export const sourceKinds = ['test', 'audio-test', 'stdin', 'chunks'] as const;
export type SourceKind = (typeof sourceKinds)[number];
