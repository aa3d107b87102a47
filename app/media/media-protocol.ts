// The contract between the node supervisor and its media child (node-media-server): every message
// crossing the IPC channel is parsed with these schemas, in both directions.
import { z } from 'zod';

export const viewerProtocols = ['rtmp', 'http-flv', 'ws-flv'] as const;
export type ViewerProtocol = (typeof viewerProtocols)[number];

export const publishRejections = ['missing', 'malformed', 'expired', 'bad-path', 'bad-signature', 'stream-busy'] as const;
export type PublishRejection = (typeof publishRejections)[number];

/** What the child needs to run; sent over IPC, never through argv or the environment (secrets). */
export const mediaChildConfigSchema = z.object({
  rtmpPort: z.number().int().min(1).max(65535),
  httpPort: z.number().int().min(1).max(65535),
  secret: z.string().min(1),
  graceMs: z.number().int().positive(),
  takeoverIdleMs: z.number().int().positive(),
  storeDir: z.string().min(1),
  logLevel: z.string(),
  nodeId: z.string(),
  /** Marks the node's own loopback readers (getStats), which are not viewers. */
  internalPlayToken: z.string().min(16),
});
export type MediaChildConfig = z.infer<typeof mediaChildConfigSchema>;

export const toChildSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('configure'), config: mediaChildConfigSchema }),
  z.object({ type: z.literal('ping'), nonce: z.number() }),
  z.object({ type: z.literal('stop') }),
  /** A WebSocket-FLV viewer's socket, handed over (with the message) after the public handshake request. */
  z.object({ type: z.literal('adopt-ws'), path: z.string(), headers: z.record(z.string(), z.string()), head: z.string() }),
]);
export type ToChild = z.infer<typeof toChildSchema>;

const stream = z.string();
export const fromChildSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), rtmpPort: z.number(), httpPort: z.number() }),
  /** Sent once at start, when node-media-server is loaded (or failed to): a node's spare waits for it. */
  z.object({ type: z.literal('loaded') }),
  /** The installed node-media-server lacks internals the node relies on: a restart would not help. */
  z.object({ type: z.literal('incompatible'), message: z.string() }),
  z.object({ type: z.literal('pong'), nonce: z.number() }),
  z.object({ type: z.literal('publish-start'), id: z.string(), stream, takeover: z.boolean() }),
  z.object({ type: z.literal('publish-stop'), id: z.string(), stream }),
  z.object({ type: z.literal('publish-rejected'), stream, code: z.enum(publishRejections) }),
  z.object({ type: z.literal('play-start'), id: z.string(), stream, protocol: z.enum(viewerProtocols) }),
  z.object({ type: z.literal('play-stop'), id: z.string(), stream, protocol: z.enum(viewerProtocols) }),
  z.object({ type: z.literal('viewers-expired'), stream, count: z.number().int() }),
  z.object({
    type: z.literal('stats'),
    /** Streams whose publisher sent media within the takeover window. */
    live: z.array(stream),
    publishers: z.number().int(),
    viewers: z.record(z.enum(viewerProtocols), z.number().int()),
    /** Media bytes since the child started: received from publishers, sent to viewers. */
    bytesIn: z.number(),
    bytesOut: z.number(),
    /** Bytes received from publishers, per stream, since the child started (ended sessions included). */
    streamBytesIn: z.record(stream, z.number()).default({}),
  }),
]);
export type FromChild = z.infer<typeof fromChildSchema>;
