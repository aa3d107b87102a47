// The upload probe's contract between a Tandem node (app/http/upload-probe.ts) and the engine's
// preflight (main/engine/uplink/preflight.ts): the presenter POSTs a few seconds of bytes to the
// node's HTTP port and the node answers with what it received, and over how long. The receiver's
// measure is the truth: a sender only knows what its kernel took, not what crossed the upload.
import { z } from 'zod';

export const UPLOAD_PROBE_PATH = '/probe/upload';

/** The node reads at most this much of one probe, then answers (12 MiB: 3 s at 32 Mb/s). */
export const MAX_PROBE_BYTES = 12 * 1024 * 1024;
/** The longest window a probe may ask for, and the default one. */
export const MAX_PROBE_WINDOW_MS = 5000;
export const DEFAULT_PROBE_WINDOW_MS = 3000;
export const MIN_PROBE_WINDOW_MS = 500;

/** The query parameter naming the window (ms) the sender will keep sending for. */
export const PROBE_WINDOW_PARAM = 'ms';

export const uploadProbeResultSchema = z.object({
  /** Every body byte the node read. */
  bytes: z.number().int().nonnegative(),
  /** From the first byte's arrival to the answer, ms. */
  ms: z.number().nonnegative(),
  /**
   * Bits per second that crossed: the bytes after the first read, over `ms` (the first read is
   * what queued before the clock started, so it is not counted); null when too little arrived.
   */
  rateBps: z.number().nonnegative().nullable(),
  /** True when the node stopped at MAX_PROBE_BYTES (the upload is faster than the window could show). */
  capped: z.boolean(),
});
export type UploadProbeResult = z.infer<typeof uploadProbeResultSchema>;

/** The window a request asks for, clamped to the node's bounds (a bad value takes the default). */
export function probeWindowMs(raw: string | null): number {
  const n = raw === null ? NaN : Number(raw);
  if (!Number.isFinite(n)) return DEFAULT_PROBE_WINDOW_MS;
  return Math.min(MAX_PROBE_WINDOW_MS, Math.max(MIN_PROBE_WINDOW_MS, Math.round(n)));
}

/** The probe's address on a node, from its control URL (http[s]:// base or ws[s]://…/control). */
export function uploadProbeUrl(controlUrl: string, windowMs: number): string {
  const u = new URL(controlUrl);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  u.pathname = UPLOAD_PROBE_PATH;
  u.search = `?${PROBE_WINDOW_PARAM}=${windowMs}`;
  u.hash = '';
  return u.toString();
}
