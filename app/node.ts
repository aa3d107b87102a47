// One Tandem server node: assembles the media core, the public HTTP server (viewer page, health,
// metrics, FLV playback), RTMP ingest and metrics. The control plane attaches through `http`
// (routes and upgrades such as /control), `media` (typed stream events) and `metrics`.
import { loadBrand } from './brand.js';
import { readTlsPair, type NodeConfig } from './config.js';
import { ControlServer } from './control/control-server.js';
import { CONTROL_PATH } from '../common/control-protocol.js';
import type { IDisposable as Disposable } from '../common/lifecycle.js';
import { FlvProxy, FLV_PATH } from './http/flv-proxy.js';
import { Health } from './http/health.js';
import { PublicServer } from './http/public-server.js';
import { registerUploadProbe } from './http/upload-probe.js';
import { registerViewerRoutes } from './http/viewer-routes.js';
import { IngestProxy } from './ingest-proxy.js';
import type { Logger } from './logger.js';
import { MediaCore, MediaCoreUnusableError } from './media/media-core.js';
import { NodeMetrics } from './metrics.js';

export class TandemNode {
  readonly media: MediaCore;
  readonly metrics: NodeMetrics;
  readonly http: PublicServer;
  private readonly ingest: IngestProxy;
  /** The control plane (shared objects, remote calls, cues, Q&A); set once wired. */
  control: ControlServer | null = null;
  private readonly subs: Disposable[] = [];
  private draining = false;
  private stopping: Promise<void> | null = null;

  /** The key and certificate, read once: HTTPS on the HTTP port and RTMPS share them. */
  private readonly tls: { key: Buffer; cert: Buffer } | null;

  private constructor(readonly config: NodeConfig, readonly log: Logger) {
    this.tls = readTlsPair(config);
    this.media = new MediaCore({
      secret: config.secret,
      graceMs: config.graceMs,
      takeoverIdleMs: config.takeoverIdleMs,
      nodeId: config.nodeId,
      logLevel: config.logLevel,
      log,
      inProcess: config.mediaInProcess,
    });
    this.metrics = new NodeMetrics(this.media);
    this.http = new PublicServer(log, config, this.tls);
    this.ingest = new IngestProxy(this.media, log, config);
  }

  /** Starts every part; the returned node serves until stop(). */
  static async start(config: NodeConfig, log: Logger): Promise<TandemNode> {
    const brand = loadBrand(config.brandFile);
    const node = new TandemNode(config, log);
    try {
      await node.wire(brand);
    } catch (err) {
      await node.stop();
      throw err;
    }
    return node;
  }

  private async wire(brand: ReturnType<typeof loadBrand>): Promise<void> {
    const { config, http, media } = this;
    // The media core starts first (its process loads a large library) and comes up meanwhile.
    const mediaUp = media.start().then(
      () => null,
      (err: unknown) => err,
    );
    const health = new Health({
      media,
      metrics: this.metrics,
      nodeId: config.nodeId,
      stream: config.stream,
      readyRequiresLive: config.readyRequiresLive,
      isDraining: () => this.draining,
    });
    const flv = new FlvProxy(media);
    this.subs.push(
      http.route(['GET', 'HEAD'], '/healthz', health.healthz),
      http.route(['GET', 'HEAD'], '/readyz', health.readyz),
      http.route(['GET'], '/metrics', health.metricsHandler),
      http.route(['GET', 'HEAD'], FLV_PATH, flv.http),
      http.upgrade(FLV_PATH, flv.upgrade),
      ...registerViewerRoutes(http, { nodeId: config.nodeId, stream: config.stream, brand, cluster: config.cluster, log: this.log }),
      registerUploadProbe(http, { token: config.controlToken, trustedProxies: config.trustedProxies, limits: config, log: this.log }),
      media.onPublishRejected((e) => this.log.warn({ stream: e.stream, code: e.code }, 'publish refused')),
    );
    this.control = await ControlServer.start({
      nodeId: config.nodeId,
      stream: config.stream,
      token: config.controlToken,
      dataDir: config.controlDir ?? null,
      pluginFile: config.controlPlugin,
      graceMs: config.graceMs,
      allowedOrigins: config.cluster,
      media,
      metrics: this.metrics,
      log: this.log.child({ part: 'control' }),
      abuse: config,
    });
    this.subs.push(http.upgrade(CONTROL_PATH, this.control.upgrade), this.control);
    // The media core may take a while (or keep failing); the node still serves /healthz and an
    // honest /readyz meanwhile, and the core keeps being restarted.
    const mediaErr = await mediaUp;
    // An install the media core cannot run on stops the node, in words; anything else may pass.
    if (mediaErr instanceof MediaCoreUnusableError) throw mediaErr;
    if (mediaErr) this.log.error({ err: String(mediaErr) }, 'media core not up yet');
    await http.listen(config.httpPort, config.host);
    await this.ingest.listen({
      host: config.host,
      rtmpPort: config.rtmpPort,
      rtmps: config.rtmpsPort !== undefined && this.tls ? { port: config.rtmpsPort, ...this.tls } : undefined,
    });
    this.log.info(
      { httpPort: config.httpPort, https: this.tls !== null, rtmpPort: config.rtmpPort, rtmpsPort: config.rtmpsPort ?? null, stream: config.stream },
      'node serving',
    );
  }

  /** Idempotent graceful stop: unready first, then listeners, then the media core. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.draining = true;
      for (const s of this.subs.splice(0)) s.dispose();
      await Promise.all([this.http.close(), this.ingest.close()]);
      await this.media.stop();
      this.log.info('node stopped');
    })();
    return this.stopping;
  }
}
