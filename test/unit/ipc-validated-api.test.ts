// The renderer parses what arrives from the host too: malformed results become an `internal`
// failure, malformed events are dropped.
import { describe, expect, it } from 'vitest';
import type { TandemApi } from '../../common/ipc-contract.js';
import { validated } from '../../renderer/src/api/validated-api.js';

function rawApi(reply: unknown): { api: TandemApi; emit: (event: string, payload: unknown) => void } {
  const listeners = new Map<string, (p: unknown) => void>();
  return {
    api: {
      invoke: (async () => reply) as unknown as TandemApi['invoke'],
      sendChunk: () => undefined,
      on: ((event: string, l: (p: unknown) => void) => (listeners.set(event, l), () => listeners.delete(event))) as unknown as TandemApi['on'],
    },
    emit: (event, payload) => listeners.get(event)?.(payload),
  };
}

describe('validated api', () => {
  it('passes valid results and failures, and turns garbage into an internal failure', async () => {
    expect(await validated(rawApi({ ok: true, value: [] }).api).invoke('servers.list', {})).toEqual({ ok: true, value: [] });
    expect(await validated(rawApi({ ok: false, code: 'not-found', message: 'x' }).api).invoke('servers.list', {})).toEqual({ ok: false, code: 'not-found', message: 'x' });
    for (const bad of [null, 'x', { ok: true, value: [{ id: 1 }] }, { ok: false, code: 'made-up', message: 'x' }]) {
      expect(await validated(rawApi(bad).api).invoke('servers.list', {})).toMatchObject({ ok: false, code: 'internal' });
    }
  });

  it('drops events that do not match the contract', () => {
    const { api, emit } = rawApi(null);
    const seen: unknown[] = [];
    validated(api).on('servers', (p) => seen.push(p));
    emit('servers', [{ id: 'a' }]);
    emit('servers', []);
    expect(seen).toEqual([[]]);
  });
});
