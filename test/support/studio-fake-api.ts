// A TandemApi for store tests: invokes go to the real presenter layer (with a fake engine) through
// the real IPC table and dispatcher, so stores are tested against the contract as the app runs it.
import type { EventChannel, EventPayload, InvokeArgs, InvokeChannel, InvokeValue, IpcResult, TandemApi } from '../../common/ipc-contract.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { IpcDispatcher } from '../../main/presenter/ipc-dispatch.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import type { Presenter, PresenterDeps } from '../../main/presenter/presenter.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import type { SetupResult } from '../../common/streaming.js';
import { fakePresenter, type FakeConnection } from './studio-fakes.js';

export interface FakeApi extends TandemApi {
  /** The presenter the calls reach (its services, e.g. `host.views`, and `host.shutdown()`). */
  host: Presenter;
  conns: FakeConnection[];
  chunks: Uint8Array[];
  calls: string[];
}

export function fakeApi(results: Record<string, SetupResult> = {}, clientId = 'w1', deps: Partial<PresenterDeps> = {}): FakeApi {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  const { presenter: host, conns } = fakePresenter(profile, { results, ...deps });
  const dispatcher = new IpcDispatcher(presenterHandlers(host), silentLogger);
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  host.windows.attach({ id: clientId, send: (e, p) => listeners.get(e)?.forEach((l) => l(p)) });
  const chunks: Uint8Array[] = [];
  const calls: string[] = [];
  return {
    host,
    conns,
    chunks,
    calls,
    invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>) {
      calls.push(channel);
      return dispatcher.dispatch(channel, args, { clientId }) as Promise<IpcResult<InvokeValue<C>>>;
    },
    sendChunk(c) {
      chunks.push(c);
      host.capture.pushChunk(clientId, c);
    },
    on<E extends EventChannel>(event: E, listener: (p: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => void set.delete(listener as (p: unknown) => void);
    },
  };
}
