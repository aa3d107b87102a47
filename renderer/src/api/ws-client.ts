// Studio mode's transport: the IPC contract over one WebSocket to the studio server. It checks the
// envelope; the payloads are parsed against the contract by `validated()`, as for Electron's
// preload. If the socket drops,
// pending calls fail with a sentence and the client reconnects (bounded backoff) so the window
// re-attaches to the live session by itself. Each socket offers the tab's secret (handed over
// by the one-time link, kept in sessionStorage) as a subprotocol: the cookie alone opens nothing.
import {
  type EventChannel,
  type EventPayload,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeValue,
  type IpcResult,
  type TandemApi,
  isEventChannel,
  wsServerMessageSchema,
} from '../../../common/ipc-contract.js';
import { TAB_FRAGMENT_KEY, TAB_STORAGE_KEY, tabProtocols } from '../../../common/studio-tab.js';

type Pending = { resolve: (r: IpcResult<unknown>) => void };

export interface WsApi extends TandemApi {
  /** Fires with true when (re)connected, false when the socket dropped. */
  onConnection(listener: (connected: boolean) => void): () => void;
  close(): void;
}

/**
 * The subprotocols this tab offers the studio: its secret from the one-time link's fragment
 * (`#tab=…`, moved to sessionStorage and taken off the address bar) or from an earlier load of
 * this tab. None when the tab never had one: the studio then refuses the socket.
 */
export function studioTabProtocols(loc: Location = location, storage: Storage = sessionStorage): string[] {
  const fromLink = new URLSearchParams(loc.hash.replace(/^#/, '')).get(TAB_FRAGMENT_KEY);
  if (fromLink) {
    storage.setItem(TAB_STORAGE_KEY, fromLink);
    history.replaceState(null, '', loc.pathname + loc.search);
  }
  const secret = storage.getItem(TAB_STORAGE_KEY);
  return secret ? tabProtocols(secret) : [];
}

export function connectWs(url: string, opts: { maxBackoffMs?: number; protocols?: string[] } = {}): WsApi {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let closed = false;
  let attempt = 0;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>();
  const connListeners = new Set<(c: boolean) => void>();
  const queue: string[] = [];

  const open = () => {
    if (closed) return;
    const sock = new WebSocket(url, opts.protocols ?? []);
    sock.binaryType = 'arraybuffer';
    ws = sock;
    sock.onopen = () => {
      attempt = 0;
      for (const m of queue.splice(0)) sock.send(m);
      connListeners.forEach((l) => l(true));
    };
    sock.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(e.data);
      } catch {
        return;
      }
      const msg = wsServerMessageSchema.safeParse(raw);
      if (!msg.success) return;
      if (msg.data.t === 'result') {
        const p = pending.get(msg.data.id);
        if (!p) return;
        pending.delete(msg.data.id);
        p.resolve(msg.data.result);
        return;
      }
      const { channel, payload } = msg.data;
      if (!isEventChannel(channel)) return;
      listeners.get(channel)?.forEach((l) => l(payload));
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.resolve({ ok: false, code: 'internal', message: 'Lost the connection to the engine; reconnecting' });
      }
      connListeners.forEach((l) => l(false));
      if (closed) return;
      const delay = Math.min(opts.maxBackoffMs ?? 5000, 250 * 2 ** Math.min(attempt++, 5));
      setTimeout(open, delay);
    };
  };
  open();

  const api: WsApi = {
    invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<IpcResult<InvokeValue<C>>> {
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (r: IpcResult<unknown>) => void });
        const text = JSON.stringify({ t: 'invoke', id, channel, args });
        if (ws && ws.readyState === WebSocket.OPEN) ws.send(text);
        else queue.push(text);
      });
    },
    sendChunk(chunk) {
      // Chunks are only meaningful on the socket that attached the capture: never queued.
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(chunk as Uint8Array<ArrayBuffer>);
    },
    on<E extends EventChannel>(event: E, listener: (p: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => void set.delete(l);
    },
    onConnection(listener) {
      connListeners.add(listener);
      return () => void connListeners.delete(listener);
    },
    close() {
      closed = true;
      ws?.close();
    },
  };
  return api;
}
