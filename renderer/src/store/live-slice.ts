// The live session: what the host says (state, setup results, tiles), the Go Live and Stop actions,
// and a short bitrate history per server for the sparklines.
import type { GoLiveResult, LiveSource, SessionView, TandemApi, UploadCheck } from '../../../common/ipc-contract.js';
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
  /** Count down 3-2-1 (viewers see it too) between the setup check and going live. */
  countdown: boolean;
  /** Keep the last webcast's Q&A at the next Go Live (default: a fresh one on every node). */
  continueQa: boolean;
  setContinueQa(on: boolean): void;
  /** Test servers' last answer, shown until Go Live or Stop. */
  testMessage: string | null;
  /** Test servers' upload check (the verdict in words, per server), shown with testMessage. */
  testUpload: UploadCheck | null;
  /** A Test servers call is under way. */
  testing: boolean;
  setCountdown(on: boolean): void;
  testServers(): Promise<void>;
  /** Publishes again to a server the engine stopped retrying (a refused key). */
  retryServer(id: string): Promise<void>;
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
    countdown: false,
    continueQa: false,
    setContinueQa(on) {
      set({ continueQa: on });
    },
    testMessage: null,
    testUpload: null,
    testing: false,
    setCountdown(on) {
      set({ countdown: on });
    },
    async testServers() {
      if (get().testing || get().busy) return;
      set({ testing: true, testMessage: null, testUpload: null, liveError: null, lastGoLive: null });
      try {
        const r = await api.invoke('servers.test', {});
        if (r.ok) set({ testMessage: r.value.message, testUpload: r.value.upload });
        else set({ liveError: r.message });
      } finally {
        set({ testing: false });
      }
    },
    async retryServer(id) {
      const r = await api.invoke('servers.retry', { id });
      if (r.ok) get().applySession(r.value);
      else set({ liveError: r.message });
    },
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
      // A session that ended takes its results with it: nothing from the last webcast stays on screen.
      const ended = view.state === 'idle' && prev.size > 0;
      set({ session: view, history, ...(view.state === 'idle' ? { confirmingStop: false } : {}), ...(ended ? { lastGoLive: null, liveError: null } : {}) });
    },
    async goLive(source) {
      if (get().busy) return null;
      set({ busy: true, liveError: null, lastGoLive: null, testMessage: null, testUpload: null });
      try {
        const r = await api.invoke('live.start', { source, requireAll: false, countdown: get().countdown, continueQa: get().continueQa });
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
        if (r.ok) {
          get().applySession(r.value);
          set({ lastGoLive: null, liveError: null, history: new Map() });
        }
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
