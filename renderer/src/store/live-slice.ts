// The live session: what the host says (state, setup results, tiles), the Go Live and Stop actions,
// and a short bitrate history per server for the sparklines.
import type { GoLiveResult, LiveSource, SessionView, TandemApi } from '../../../common/ipc-contract.js';
import type { Slice } from './slice.js';

/** Samples kept per server: one per host tick (1 s), so about a minute of history. */
export const HISTORY_LENGTH = 60;

export interface LiveSlice {
  session: SessionView | null;
  lastGoLive: GoLiveResult | null;
  /** A Go Live or Stop call is under way. */
  busy: boolean;
  liveError: string | null;
  /** Bitrate (bps) history per server id; a new Map on every update. */
  history: Map<string, number[]>;
  confirmingStop: boolean;
  refreshSession(): Promise<void>;
  applySession(view: SessionView): void;
  goLive(source: LiveSource): Promise<GoLiveResult | null>;
  askStop(): void;
  cancelStop(): void;
  stop(): Promise<void>;
  attachCapture(mimeType: string): Promise<boolean>;
}

export const createLiveSlice =
  (api: TandemApi): Slice<LiveSlice> =>
  (set, get) => ({
    session: null,
    lastGoLive: null,
    busy: false,
    liveError: null,
    history: new Map(),
    confirmingStop: false,
    async refreshSession() {
      const r = await api.invoke('session.get', {});
      if (r.ok) get().applySession(r.value);
    },
    applySession(view) {
      const prev = get().history;
      const history = new Map<string, number[]>();
      if (view.state === 'live') {
        for (const t of view.tiles) {
          const old = prev.get(t.snapshot.id) ?? [];
          history.set(t.snapshot.id, [...old, t.snapshot.metrics.bitrateBps].slice(-HISTORY_LENGTH));
        }
      }
      set({ session: view, history, ...(view.state === 'idle' ? { confirmingStop: false } : {}) });
    },
    async goLive(source) {
      if (get().busy) return null;
      set({ busy: true, liveError: null, lastGoLive: null });
      try {
        const r = await api.invoke('live.start', { source, requireAll: false });
        if (!r.ok) {
          set({ liveError: r.message });
          return null;
        }
        set({ lastGoLive: r.value, ...(r.value.live ? {} : { liveError: r.value.message }) });
        return r.value;
      } finally {
        set({ busy: false });
      }
    },
    askStop() {
      if (get().session?.state === 'live') set({ confirmingStop: true });
    },
    cancelStop() {
      set({ confirmingStop: false });
    },
    async stop() {
      set({ busy: true, confirmingStop: false });
      try {
        const r = await api.invoke('live.stop', {});
        if (r.ok) get().applySession(r.value);
        else set({ liveError: r.message });
      } finally {
        set({ busy: false });
      }
    },
    async attachCapture(mimeType) {
      const r = await api.invoke('capture.attach', { mimeType });
      if (!r.ok) {
        set({ liveError: r.message });
        return false;
      }
      get().applySession(r.value);
      return true;
    },
  });
