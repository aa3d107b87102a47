// Health endpoints for load balancers. /healthz: the process answers. /readyz: the media core
// answers over IPC and accepts TCP right now (and, optionally, the stream is live); a draining node
// says unready so the balancer stops sending viewers before it goes away.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MediaCore } from '../media/media-core.js';
import type { NodeMetrics } from '../metrics.js';
import { sendJson } from './public-server.js';

export interface HealthOptions {
  media: MediaCore;
  metrics: NodeMetrics;
  nodeId: string;
  stream: string;
  readyRequiresLive: boolean;
  isDraining: () => boolean;
}

const CHECK_TIMEOUT_MS = 1000;
const CACHE_MS = 250;

export class Health {
  private last: { at: number; result: Promise<boolean> } | null = null;
  private readonly started = Date.now();

  constructor(private readonly o: HealthOptions) {}

  readonly healthz = (_req: IncomingMessage, res: ServerResponse): void => {
    sendJson(res, 200, { status: 'ok', node: this.o.nodeId, uptimeS: Math.round((Date.now() - this.started) / 1000) });
  };

  readonly readyz = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (this.o.isDraining()) return sendJson(res, 503, { ready: false, reason: 'draining' });
    // Balancers probe every node often; one check serves the probes that arrive together.
    if (!this.last || Date.now() - this.last.at > CACHE_MS) {
      this.last = { at: Date.now(), result: this.o.media.check(CHECK_TIMEOUT_MS) };
    }
    const up = await this.last.result;
    if (!up) return sendJson(res, 503, { ready: false, reason: 'media-core-down', mediaCore: this.o.media.state });
    if (this.o.readyRequiresLive && !this.o.media.stats.live.includes(this.o.stream)) {
      return sendJson(res, 503, { ready: false, reason: 'not-live', stream: this.o.stream });
    }
    sendJson(res, 200, { ready: true, node: this.o.nodeId, live: this.o.media.stats.live });
  };

  readonly metricsHandler = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await this.o.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': this.o.metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  };
}
