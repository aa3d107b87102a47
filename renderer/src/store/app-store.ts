// The renderer's one store, built from slices (servers, live, qa, devices, brand, settings). It is plain
// TypeScript over the IPC contract: no React and no DOM here, so tests build it with a fake API.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TandemApi } from '../../../common/ipc-contract.js';
import { type BrandSlice, createBrandSlice } from './brand-slice.js';
import { type DevicesSlice, createDevicesSlice } from './devices-slice.js';
import { type LiveSlice, createLiveSlice } from './live-slice.js';
import { type QaSlice, createQaSlice } from './qa-slice.js';
import { type ServersSlice, createServersSlice } from './servers-slice.js';
import { type SettingsSlice, createSettingsSlice } from './settings-slice.js';

export type AppState = ServersSlice & LiveSlice & QaSlice & DevicesSlice & BrandSlice & SettingsSlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(api: TandemApi): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createServersSlice(api)(...a),
    ...createLiveSlice(api)(...a),
    ...createQaSlice(api)(...a),
    ...createDevicesSlice()(...a),
    ...createBrandSlice(api)(...a),
    ...createSettingsSlice(api)(...a),
  }));
}

/** Loads everything once and follows the host's events. Returns an unsubscribe function. */
export async function bindStore(store: AppStore, api: TandemApi): Promise<() => void> {
  const offs = [
    api.on('session', (s) => store.getState().applySession(s)),
    api.on('servers', (list) => store.setState({ servers: list })),
    api.on('profile', (p) => store.setState({ profile: p })),
    api.on('qa', (q) => store.getState().applyQa(q)),
  ];
  await Promise.all([store.getState().loadServers(), store.getState().loadBrand(), store.getState().refreshSession(), store.getState().loadQa(), store.getState().loadSettings()]);
  return () => offs.forEach((off) => off());
}
