// Renderer entry: finds the transport (Electron's preload API, or studio mode's WebSocket), builds
// the store and the capture controllers, and renders the app.
import { createRoot } from 'react-dom/client';
import type { TandemApi } from '../../common/ipc-contract.js';
import { validated } from './api/validated-api.js';
import { connectWs, studioTabProtocols } from './api/ws-client.js';
import { AppContext } from './app-context.js';
import { CaptureController } from './capture/capture-controller.js';
import { LiveController } from './capture/live-controller.js';
import { App } from './components/app.js';
import { bindStore, createAppStore } from './store/app-store.js';
import './styles.css';

declare global {
  interface Window {
    tandem?: TandemApi;
  }
}

async function start(): Promise<void> {
  let api: TandemApi;
  const store = { current: null as ReturnType<typeof createAppStore> | null };
  if (window.tandem) {
    api = validated(window.tandem);
  } else {
    const ws = connectWs(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ipc`, { protocols: studioTabProtocols() });
    ws.onConnection((up) => {
      store.current?.getState().setConnected(up);
      // A fresh socket is a fresh client to the host: catch up on everything.
      if (up && store.current) void bindStoreRefresh(store.current);
    });
    api = validated(ws);
  }
  const appStore = createAppStore(api);
  store.current = appStore;
  const capture = new CaptureController(appStore, api);
  const live = new LiveController(appStore, capture);
  await bindStore(appStore, api);
  const root = document.getElementById('root');
  if (!root) throw new Error('no #root');
  createRoot(root).render(
    <AppContext.Provider value={{ store: appStore, capture, live }}>
      <App />
    </AppContext.Provider>,
  );
  // Devices are opened once the UI is up, so a permission prompt has the app behind it.
  void capture.openPreview();
}

async function bindStoreRefresh(store: ReturnType<typeof createAppStore>): Promise<void> {
  const s = store.getState();
  await Promise.all([s.loadServers(), s.loadBrand(), s.refreshSession(), s.loadQa(), s.loadSettings()]);
}

void start();
