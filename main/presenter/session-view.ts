// What each window shows of the session: state, setup, uptime, the source on air and whether this
// window owns it, the encoder, and one tile per server. Sent as a `session` event whenever the
// session changes, and once a second while live so bitrates and uptime stay current.
import type { SessionView } from '../../common/ipc-contract.js';
import { DisposableStore, type IDisposable, toDisposable } from '../../common/lifecycle.js';
import type { CaptureFailover } from './capture-failover.js';
import type { LiveSession } from './live-session.js';
import type { RecordingWatch } from './recording-watch.js';
import type { TileStats } from './tile-stats.js';
import { uplinkView } from './uplink-view.js';
import type { WindowRegistry } from './window-registry.js';

export interface SessionViewsOptions {
  /** How often live views are refreshed (bitrate, uptime). */
  tickMs?: number;
}

export class SessionViews implements IDisposable {
  private readonly store = new DisposableStore();

  constructor(
    private readonly session: Pick<LiveSession, 'state' | 'setup' | 'countdownEndsAt' | 'startedAt' | 'onAir' | 'encoder' | 'current' | 'onChange' | 'onPublish' | 'onSetup'>,
    private readonly capture: Pick<CaptureFailover, 'isOwner'>,
    private readonly tiles: Pick<TileStats, 'tile'>,
    windows: Pick<WindowRegistry, 'sendEach'>,
    private readonly recording: Pick<RecordingWatch, 'view' | 'onChange'>,
    opts: SessionViewsOptions = {},
  ) {
    const broadcast = () => windows.sendEach('session', (id) => this.view(id));
    this.store.add(session.onChange(broadcast));
    // A step down or a paused server is news at once, not at the next tick.
    this.store.add(session.onSetup(({ conn, scope }) => scope.add(conn.onUplink(broadcast))));
    // The recording's last word comes after the session has ended (the file is finished then).
    this.store.add(recording.onChange(broadcast));
    this.store.add(
      session.onPublish(({ session: { scope } }) => {
        const tick = setInterval(broadcast, opts.tickMs ?? 1000);
        tick.unref();
        scope.add(toDisposable(() => clearInterval(tick)));
      }),
    );
  }

  /** The session as this window sees it (`null`: a caller that is no window, e.g. a test or the shell). */
  view(clientId: string | null): SessionView {
    const s = this.session;
    const encoder = s.encoder;
    return {
      state: s.state,
      setup: s.setup,
      startedAt: s.startedAt,
      countdownEndsAt: s.countdownEndsAt,
      onAir: s.onAir,
      captureOwner: this.capture.isOwner(clientId),
      encoder: encoder ? { state: encoder.state, message: encoder.message } : null,
      tiles: (s.current?.conn.snapshots() ?? []).map((snapshot) => this.tiles.tile(snapshot)),
      uplink: s.current && s.state === 'live' ? uplinkView(s.current.conn) : null,
      recording: this.recording.view(),
    };
  }

  dispose(): void {
    this.store.dispose();
  }
}
