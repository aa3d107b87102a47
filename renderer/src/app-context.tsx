// The store and the controllers, handed to components through one React context.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { CaptureController } from './capture/capture-controller.js';
import type { LiveController } from './capture/live-controller.js';
import type { AppState, AppStore } from './store/app-store.js';

export interface AppServices {
  store: AppStore;
  capture: CaptureController;
  live: LiveController;
}

export const AppContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const s = useContext(AppContext);
  if (!s) throw new Error('AppContext missing');
  return s;
}

/** Always select: components re-render only when what they read changes. */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useServices().store, selector);
}
