// The presenter's settings beyond servers: whether webcasts are recorded on this computer (on by
// default; persisted by the host with the rest of the settings) and where they go.
import type { SettingsView, TandemApi } from '../../../common/ipc-contract.js';
import type { Slice } from './slice.js';

export interface SettingsSlice {
  /** Null until the host answered. */
  settings: SettingsView | null;
  settingsError: string | null;
  loadSettings(): Promise<void>;
  setRecording(on: boolean): Promise<void>;
}

export const createSettingsSlice =
  (api: TandemApi): Slice<SettingsSlice> =>
  (set) => ({
    settings: null,
    settingsError: null,
    async loadSettings() {
      const r = await api.invoke('settings.get', {});
      set(r.ok ? { settings: r.value, settingsError: null } : { settingsError: r.message });
    },
    async setRecording(on) {
      const r = await api.invoke('settings.setRecording', { on });
      set(r.ok ? { settings: r.value, settingsError: null } : { settingsError: r.message });
    },
  });
