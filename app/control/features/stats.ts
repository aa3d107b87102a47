// The node's getStats: whether the configured stream is live here, its own ingest bitrate, the
// frames per second and keyframe age the node actually receives (the ingest probe, which reads the
// stream only while a presenter is connected), viewers and control clients, uptime.
import type { IDisposable } from '../../../common/lifecycle.js';
import type { NodeStats } from '../../../common/control-protocol.js';
import type { MediaCore } from '../../media/media-core.js';
import type { ControlHub } from '../connection.js';
import { IngestProbe } from '../ingest-probe.js';

export class StatsFeature implements IDisposable {
  private readonly probe: IngestProbe;
  private readonly sampler: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(private readonly o: { nodeId: string; stream: string; media: MediaCore; hub: ControlHub }) {
    this.probe = new IngestProbe(o.media, o.stream);
    this.sampler = setInterval(() => this.probe.update(o.hub.hasPresenters), 1000);
  }

  stats(): NodeStats {
    const s = this.o.media.stats;
    const probe = this.probe.sample();
    // The probe reads with the media core's internal token, so the core never counts it as a viewer.
    const viewers = Object.values(s.viewers).reduce((a, b) => a + b, 0);
    return {
      nodeId: this.o.nodeId,
      live: s.live.includes(this.o.stream),
      // The configured stream's own bytes from its publisher: not other streams', not viewers'.
      ingestBps: this.o.media.ingestBps(this.o.stream),
      fps: probe.fps,
      keyframeAgeMs: probe.keyframeAgeMs,
      viewers: Math.max(0, viewers),
      controlViewers: this.o.hub.viewerCount,
      uptimeMs: Date.now() - this.startedAt,
    };
  }

  dispose(): void {
    clearInterval(this.sampler);
    this.probe.stop();
  }
}
