// What a relay is given: its options (timeouts, limits, trust), the join source it replays on a
// (re)join, and the drop events it reports. Apart from relay.ts so the relay stays one job.
import type tls from 'node:tls';
import type { BackoffPolicy } from '../base/backoff.js';
import type { Logger } from '../base/logger.js';
import type { FlvHeader } from '../flv/flv-parser.js';
import type { FlvTag } from '../flv/flv-tag.js';
import type { BacklogLimits } from '../flv/tag-backlog.js';

/** What a relay replays when it (re)joins: provided by the engine's join cache. */
export interface JoinSource {
  readonly header: FlvHeader | null;
  readonly hasVideo: boolean;
  joinTags(): FlvTag[];
}

export interface RelayOptions {
  id: string;
  /** Full publish URL including the stream key: handed to the publisher only. */
  url: string;
  /** Masked URL for logs and the UI. */
  label: string;
  logger: Logger;
  now?: () => number;
  backoff?: BackoffPolicy;
  backlog?: BacklogLimits;
  /**
   * Bytes waiting and none taken by the kernel, or none acknowledged by a server that sends RTMP
   * acknowledgements, for this long → stalled (or connection lost).
   */
  stallTimeoutMs?: number;
  /**
   * Bytes sent and not yet acknowledged by the server (when it acknowledges at all) above which
   * tags wait in the droppable backlog instead of the kernel's buffers.
   */
  inFlightLimitBytes?: number;
  /** Connect → Publish.Start must take less than this → otherwise timeout. */
  publishTimeoutMs?: number;
  /** A hang-up this soon after Publish.Start is a refused key (see RtmpPublisher). */
  confirmMs?: number;
  /** While a server refuses connections, how often to look for it coming back. */
  watchIntervalMs?: number;
  /** Minimum delay after a refused key or a taken stream name. */
  rejectedFloorMs?: number;
  /** Refusals in a row after which the relay stops retrying until retry(). */
  maxRefusals?: number;
  /** RTMPS trust (tests); the default is the OS store, Node's roots and NODE_EXTRA_CA_CERTS. */
  secureContext?: tls.SecureContext;
}

export interface GopDrop {
  id: string;
  gops: number;
  total: number;
}
