// What each server's tile says the server itself receives, next to the engine's own snapshot. A
// Tandem node with a control session reports its own view of the stream (getStats, polled by the
// engine: the stream's ingest bitrate, fps, keyframe age, viewers); a node with only a control URL
// falls back to /metrics (node-wide bytes and viewers); plain RTMP servers report nothing, and the
// tile says so. Both sources are per session: they start with it and are forgotten when it ends.
import type { ServerTile } from '../../common/ipc-contract.js';
import { DisposableStore, type IDisposable, toDisposable } from '../../common/lifecycle.js';
import type { ServerSnapshot } from '../../common/streaming.js';
import type { NodeStatsEvent } from '../engine/control/control-plane.js';
import type { LiveSession } from './live-session.js';
import { ServerStatsPoller } from './server-stats.js';

/** A node's getStats answer older than this (its control session went away) is no longer shown. */
export const NODE_STATS_STALE_MS = 6000;

export type StatsPoller = Pick<ServerStatsPoller, 'start' | 'sample' | 'dispose'> & Partial<Pick<ServerStatsPoller, 'setTargets'>>;
/** Polls /metrics of the given servers; replaced in tests. */
export type CreateStatsPoller = (targets: Array<{ id: string; controlUrl?: string }>) => StatsPoller;

export interface TileStatsOptions {
  now?: () => number;
  createStatsPoller?: CreateStatsPoller;
}

export class TileStats implements IDisposable {
  /** Each node's own view of the stream (getStats over its control session), and when it arrived. */
  private readonly nodeStats = new Map<string, { stats: NodeStatsEvent['stats']; at: number }>();
  private poller: StatsPoller | null = null;
  /** The running session's servers (the list servers added or removed while live change) and the ids polled. */
  private servers: ReadonlyArray<{ id: string; controlToken?: string; metricsBase?: string }> = [];
  private polledIds = '';
  private readonly store = new DisposableStore();
  private readonly now: () => number;

  constructor(session: Pick<LiveSession, 'onSetup' | 'onPublish'>, opts: TileStatsOptions = {}) {
    this.now = opts.now ?? Date.now;
    const createPoller = opts.createStatsPoller ?? ((targets) => new ServerStatsPoller(targets));
    this.store.add(
      session.onSetup(({ conn, scope }) => {
        // The engine polls every node every 2 s; the tiles show it at the next view refresh.
        scope.add(conn.control.onNodeStats((e) => this.nodeStats.set(e.server, { stats: e.stats, at: this.now() })));
        scope.add(toDisposable(() => this.nodeStats.clear()));
      }),
    );
    this.store.add(
      session.onPublish(({ session: { servers, scope } }) => {
        // /metrics only for nodes without a control session: the others report through getStats.
        const poller = createPoller(metricsTargets(servers));
        this.poller = poller;
        this.servers = servers;
        this.polledIds = servers.map((s) => s.id).join('\n');
        scope.add(
          toDisposable(() => {
            poller.dispose();
            if (this.poller === poller) {
              this.poller = null;
              this.servers = [];
            }
          }),
        );
        poller.start();
      }),
    );
  }

  /** A server's tile: the engine's snapshot plus the freshest report from the server itself. */
  tile(snapshot: ServerSnapshot): ServerTile {
    this.followServers();
    // A server we are not live on has no figures worth showing: its last receive rate and viewer
    // count would read as if it still had them (the tile shows a dash and since when instead).
    if (snapshot.state !== 'live') return { snapshot, reportedBy: null, nodeLive: null, receivedBps: null, fps: null, keyframeAgeMs: null, viewers: null };
    const node = this.nodeStats.get(snapshot.id);
    if (node && this.now() - node.at <= NODE_STATS_STALE_MS) {
      const n = node.stats;
      return { snapshot, reportedBy: 'node', nodeLive: n.live, receivedBps: n.ingestBps, fps: n.fps, keyframeAgeMs: n.keyframeAgeMs, viewers: n.viewers };
    }
    const m = this.poller?.sample(snapshot.id);
    if (m && (m.receivedBps !== null || m.viewers !== null)) {
      return { snapshot, reportedBy: 'metrics', nodeLive: null, receivedBps: m.receivedBps, fps: null, keyframeAgeMs: null, viewers: m.viewers };
    }
    return { snapshot, reportedBy: null, nodeLive: null, receivedBps: null, fps: null, keyframeAgeMs: null, viewers: null };
  }

  dispose(): void {
    this.store.dispose();
  }

  /** A server added while live gets its /metrics polled too (a removed one no longer). */
  private followServers(): void {
    const ids = this.servers.map((s) => s.id).join('\n');
    if (ids === this.polledIds || !this.poller) return;
    this.polledIds = ids;
    this.poller.setTargets?.(metricsTargets(this.servers));
  }
}

/** /metrics only for nodes without a control session: the others report through getStats. */
function metricsTargets(servers: ReadonlyArray<{ id: string; controlToken?: string; metricsBase?: string }>): Array<{ id: string; controlUrl?: string }> {
  return servers.map((s) => ({ id: s.id, ...(s.metricsBase && !s.controlToken ? { controlUrl: s.metricsBase } : {}) }));
}
