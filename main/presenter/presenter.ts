// The presenter layer, assembled: the services that own a webcast, wired to each other once. The
// Electron shell and browser mode both build one of these (with their own storage and engine) and
// connect their windows and transport to its services; neither holds session logic of its own.
// The one place that knows the order services start in and the order they shut down in.
import type { AppInfo } from '../../common/ipc-contract.js';
import { DisposableStore, type IDisposable } from '../../common/lifecycle.js';
import type { Logger } from '../engine/base/logger.js';
import type { SourceSpec } from '../engine/encoder/source.js';
import { CaptureFailover } from './capture-failover.js';
import { LiveSession, type LiveSessionDeps } from './live-session.js';
import type { PresenterProfile } from './presenter-profile.js';
import { QaView } from './qa-view.js';
import { RecordingWatch } from './recording-watch.js';
import { SessionViews } from './session-view.js';
import { StageObjects } from './stage-objects.js';
import { type CreateStatsPoller, TileStats } from './tile-stats.js';
import { WindowRegistry } from './window-registry.js';

export interface PresenterDeps {
  profile: PresenterProfile;
  /** The engine for each live session: the real MultiConnection, or a test's fake. */
  createConnection: LiveSessionDeps['createConnection'];
  /** A PNG/JPEG shown (with silence) while no window's capture is on air. */
  slateImagePath: string;
  logger: Logger;
  mode: AppInfo['mode'];
  version: string;
  demo?: boolean;
  /** The test pattern used for the `test-pattern` source. */
  testPattern?: SourceSpec;
  /** How often live views are refreshed (bitrate, uptime). */
  tickMs?: number;
  setupTimeoutMs?: number;
  now?: () => number;
  /** Where webcasts are recorded (Videos/Tandem in the app); null or absent: not recorded. */
  recordingsDir?: string | null;
  /** Below this much free space a recording stops (the engine's default when absent). */
  recordingMinFreeBytes?: number;
  /** Polls /metrics of Tandem nodes that have a control URL but no control session; replaced in tests. */
  createStatsPoller?: CreateStatsPoller;
}

export class Presenter implements IDisposable {
  readonly info: AppInfo;
  readonly profile: PresenterProfile;
  readonly windows: WindowRegistry;
  readonly session: LiveSession;
  readonly capture: CaptureFailover;
  readonly tiles: TileStats;
  readonly stage: StageObjects;
  readonly qa: QaView;
  readonly views: SessionViews;
  readonly recording: RecordingWatch;
  private readonly store = new DisposableStore();
  private closing: Promise<void> | null = null;

  constructor(deps: PresenterDeps) {
    const now = deps.now ?? Date.now;
    const { logger } = deps;
    this.info = { mode: deps.mode, version: deps.version, demo: !!deps.demo };
    this.profile = deps.profile;
    this.windows = this.store.add(new WindowRegistry(logger));
    this.session = this.store.add(
      new LiveSession({
        profile: deps.profile,
        createConnection: deps.createConnection,
        recordingPlan: () => this.recording.plan(),
        logger,
        now,
        ...(deps.testPattern ? { testPattern: deps.testPattern } : {}),
        ...(deps.setupTimeoutMs !== undefined ? { setupTimeoutMs: deps.setupTimeoutMs } : {}),
      }),
    );
    this.recording = this.store.add(
      new RecordingWatch(this.session, deps.profile, {
        dir: deps.recordingsDir ?? null,
        logger,
        ...(deps.recordingMinFreeBytes !== undefined ? { minFreeBytes: deps.recordingMinFreeBytes } : {}),
      }),
    );
    this.capture = this.store.add(new CaptureFailover(this.session, this.windows, { slateImagePath: deps.slateImagePath, logger }));
    this.tiles = this.store.add(new TileStats(this.session, { now, ...(deps.createStatsPoller ? { createStatsPoller: deps.createStatsPoller } : {}) }));
    this.stage = this.store.add(new StageObjects(this.session, logger));
    this.qa = this.store.add(new QaView(this.session, this.stage, this.windows, { now }));
    this.views = this.store.add(new SessionViews(this.session, this.capture, this.tiles, this.windows, this.recording, deps.tickMs !== undefined ? { tickMs: deps.tickMs } : {}));
    // The upload's step for the camera: the window encoding it applies it (the others keep it for their next capture).
    this.store.add(this.session.onSetup(({ conn, scope }) => scope.add(conn.onVideoBitrate((bps) => this.windows.broadcast('videoBitrate', { bps })))));
    // What the presenter changes in the profile, every window sees (another window may show the form).
    this.store.add(deps.profile.onServers((list) => this.windows.broadcast('servers', list)));
    this.store.add(deps.profile.onProfile((view) => this.windows.broadcast('profile', view)));
  }

  /**
   * Refuses new windows, ends any live session while the windows still listen (they see it end),
   * then lets every service go. Safe to call twice: the second call waits for the first.
   */
  shutdown(): Promise<void> {
    this.closing ??= (async () => {
      this.windows.close();
      try {
        await this.session.stop('the app is closing');
      } finally {
        this.store.dispose();
      }
    })();
    return this.closing;
  }

  dispose(): void {
    void this.shutdown();
  }
}
