// Results and events are parsed with the contract's schemas before the app sees them, whichever
// transport carried them (Electron's preload, or the studio WebSocket).
import {
  type EventChannel,
  type EventPayload,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeValue,
  type IpcResult,
  type TandemApi,
  eventContract,
  invokeContract,
  ipcResultSchema,
} from '../../../common/ipc-contract.js';

const garbled = { ok: false, code: 'internal', message: 'The engine sent a reply this app does not understand' } as const;

export function validated(api: TandemApi): TandemApi {
  return {
    async invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<IpcResult<InvokeValue<C>>> {
      const raw = ipcResultSchema.safeParse(await api.invoke(channel, args));
      if (!raw.success) return garbled;
      if (!raw.data.ok) return raw.data;
      const value = invokeContract[channel].result.safeParse(raw.data.value);
      return value.success ? { ok: true, value: value.data as InvokeValue<C> } : garbled;
    },
    sendChunk: (chunk) => api.sendChunk(chunk),
    on<E extends EventChannel>(event: E, listener: (p: EventPayload<E>) => void) {
      return api.on(event, (payload) => {
        const parsed = eventContract[event].safeParse(payload);
        if (parsed.success) listener(parsed.data as EventPayload<E>);
      });
    },
  };
}
