// Brand and app info: the name, logo and colours from the cluster profile or assets/brand/.
import type { AppInfo, ProfileView, TandemApi } from '../../../common/ipc-contract.js';
import type { Slice } from './slice.js';

export interface BrandSlice {
  profile: ProfileView | null;
  appInfo: AppInfo | null;
  /** Whether the transport to the engine is up (studio mode's socket can drop). */
  connected: boolean;
  loadBrand(): Promise<void>;
  setConnected(connected: boolean): void;
}

export const createBrandSlice =
  (api: TandemApi): Slice<BrandSlice> =>
  (set) => ({
    profile: null,
    appInfo: null,
    connected: true,
    async loadBrand() {
      const [p, i] = await Promise.all([api.invoke('profile.get', {}), api.invoke('app.info', {})]);
      set({ ...(p.ok ? { profile: p.value } : {}), ...(i.ok ? { appInfo: i.value } : {}) });
    },
    setConnected(connected) {
      set({ connected });
    },
  });
