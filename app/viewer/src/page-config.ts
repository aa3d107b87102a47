// What the node tells its viewer page (/viewer-config.json): the stream's path, every node of the
// cluster, the brand and the stall timeout. The node builds it with this schema and the page parses
// it with the same one. No DOM here: the node imports it too.
import * as z from 'zod';
import { viewerBrandSchema } from '../../../common/brand.js';

export const PAGE_CONFIG_PATH = '/viewer-config.json';

export const pageConfigSchema = z.object({
  nodeId: z.string().min(1),
  stream: z.string().min(1),
  /** The stream's FLV path on every node (`/live/main.flv`), played over WebSocket. */
  flvPath: z.string().regex(/^\/[A-Za-z0-9_/-]+\.flv$/),
  /** Every node's base URL (http[s]://host:port); empty means "this node only". */
  nodes: z.array(z.string().regex(/^https?:\/\/[^/?#]+$/)),
  brand: viewerBrandSchema,
  /** Playback that does not move for this long is a stalled node: the page fails over. */
  stallMs: z.number().int().min(500).max(60_000),
});
export type PageConfig = z.infer<typeof pageConfigSchema>;
