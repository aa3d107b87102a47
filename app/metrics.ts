// Prometheus metrics of one node, on its own registry (no global state, so tests can run several).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { MediaCore } from './media/media-core.js';
import { viewerProtocols } from './media/media-protocol.js';

export class NodeMetrics {
  readonly registry = new Registry();
  /** Set by the control plane (WebSocket /control) as its clients come and go. */
  readonly controlClients = new Gauge({ name: 'tandem_control_clients', help: 'Connected control-plane clients', labelNames: ['role'], registers: [this.registry] });
  readonly publishRejections = new Counter({ name: 'tandem_publish_rejections_total', help: 'Refused publish attempts by reason', labelNames: ['code'], registers: [this.registry] });
  readonly takeovers = new Counter({ name: 'tandem_publish_takeovers_total', help: 'Lingering publishers replaced by a new signed publisher', registers: [this.registry] });
  readonly mediaRestarts = new Counter({ name: 'tandem_media_core_restarts_total', help: 'Times the media core died and was restarted', registers: [this.registry] });
  readonly viewersExpired = new Counter({ name: 'tandem_viewers_released_total', help: 'Viewers disconnected after the publisher grace period', registers: [this.registry] });

  constructor(media: MediaCore) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tandem_process_' });
    this.controlClients.set({ role: 'presenter' }, 0);
    this.controlClients.set({ role: 'viewer' }, 0);
    // Counters fed from the media core's running totals (which survive its restarts).
    let reported = { in: 0, out: 0 };
    const bytesIn = new Counter({ name: 'tandem_bytes_received_total', help: 'Media bytes received from publishers', registers: [this.registry] });
    new Counter({
      name: 'tandem_bytes_sent_total',
      help: 'Media bytes sent to viewers',
      registers: [this.registry],
      collect() {
        const now = media.bytes;
        bytesIn.inc(Math.max(0, now.in - reported.in));
        this.inc(Math.max(0, now.out - reported.out));
        reported = now;
      },
    });
    let handoffsReported = { adopted: 0, relayed: 0 };
    new Counter({
      name: 'tandem_ws_viewer_handoffs_total',
      help: 'WebSocket viewers handed to the media core (adopted) or relayed by the supervisor during connection storms',
      labelNames: ['result'],
      registers: [this.registry],
      collect() {
        const now = { ...media.handoffs };
        this.inc({ result: 'adopted' }, now.adopted - handoffsReported.adopted);
        this.inc({ result: 'relayed' }, now.relayed - handoffsReported.relayed);
        handoffsReported = now;
      },
    });
    new Gauge({
      name: 'tandem_publishers',
      help: 'Connected publishers',
      registers: [this.registry],
      collect() {
        this.set(media.stats.publishers);
      },
    });
    new Gauge({
      name: 'tandem_live_streams',
      help: 'Streams whose publisher sent media in the last seconds',
      registers: [this.registry],
      collect() {
        this.set(media.stats.live.length);
      },
    });
    new Gauge({
      name: 'tandem_viewers',
      help: 'Connected viewers by playback protocol',
      labelNames: ['protocol'],
      registers: [this.registry],
      collect() {
        for (const p of viewerProtocols) this.set({ protocol: p }, media.stats.viewers[p]);
      },
    });
    new Gauge({
      name: 'tandem_media_core_up',
      help: '1 while the media core process is up',
      registers: [this.registry],
      collect() {
        this.set(media.state === 'up' ? 1 : 0);
      },
    });
    media.onPublishRejected((e) => this.publishRejections.inc({ code: e.code }));
    media.onPublishStart((e) => e.takeover && this.takeovers.inc());
    media.onViewersExpired((e) => this.viewersExpired.inc(e.count));
    media.onState((s) => s === 'down' && this.mediaRestarts.inc());
  }
}
