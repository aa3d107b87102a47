// The sandboxed preload: exposes `window.tandem`, the contract's TandemApi, and nothing else.
// The only place a renderer touches ipcRenderer. Bundled to CommonJS (sandboxed preloads cannot
// import modules other than electron's).
import { contextBridge, ipcRenderer } from 'electron';
import { ELECTRON_CHUNK, ELECTRON_EVENT, ELECTRON_INVOKE, type TandemApi, isEventChannel, isInvokeChannel } from '../common/ipc-contract.js';

const api: TandemApi = {
  invoke: (channel, args) => {
    if (!isInvokeChannel(channel)) return Promise.resolve({ ok: false, code: 'unknown-channel', message: 'Not part of the contract' });
    return ipcRenderer.invoke(ELECTRON_INVOKE, channel, args);
  },
  sendChunk: (chunk) => ipcRenderer.send(ELECTRON_CHUNK, chunk),
  on: (event, listener) => {
    if (!isEventChannel(event)) return () => undefined;
    const handler = (_e: unknown, channel: unknown, payload: unknown) => {
      if (channel === event) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(ELECTRON_EVENT, handler);
    return () => void ipcRenderer.removeListener(ELECTRON_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('tandem', api);
