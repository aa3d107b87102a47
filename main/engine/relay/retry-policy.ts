// What a relay does after a failed publish, by reason: refusals of the key (or signature) are
// counted and, three in a row, end the retries (a wrong key does not heal by itself, and hammering
// a server with it looks like an attack); problems a presenter has to fix retry slowly; a server
// that refused the connection or closed a live stream is watched for coming back.
import type { FailureReason } from '../../../common/streaming.js';

/** Reasons that mean the key or signature. */
const KEY_REFUSALS = new Set<FailureReason>(['key-refused', 'signature-expired', 'publish-rejected']);
/** Reasons that a retry in a few hundred ms will not fix: retried no faster than the floor. */
const SLOW = new Set<FailureReason>([...KEY_REFUSALS, 'stream-in-use', 'app-not-found', 'rejected', 'tls-certificate']);

export interface RetryDecision {
  /** Refusals in a row after this failure. */
  refusals: number;
  /** Stop retrying until the presenter retries. */
  giveUp: boolean;
  /** The state to show while waiting: failed (the presenter may act) or reconnecting. */
  state: 'failed' | 'reconnecting';
  /** The backoff may go no lower than this (ms). */
  floorMs: number;
  /** Watch for the server to accept connections again and re-join at once. */
  watch: boolean;
}

export function decideRetry(reason: FailureReason, refusalsBefore: number, maxRefusals: number, slowFloorMs: number): RetryDecision {
  // A taken stream name says nothing about the key: it neither counts nor clears the count.
  const refusals = KEY_REFUSALS.has(reason) ? refusalsBefore + 1 : reason === 'stream-in-use' ? refusalsBefore : 0;
  const slow = SLOW.has(reason);
  return {
    refusals,
    giveUp: refusals >= maxRefusals,
    state: slow ? 'failed' : 'reconnecting',
    floorMs: slow ? slowFloorMs : 0,
    watch: reason === 'refused' || reason === 'closed-by-server',
  };
}
