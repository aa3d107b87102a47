// Issue 11: the presenter's side refuses a weak presenter token in words, by the node's own rule
// (common/secret-strength.ts): typed in the server form (servers.save) or arriving in an
// organiser's profile, a token the node would refuse is not stored, and the sentence says why.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../app/config.js';
import { presenterTokenProblem } from '../../common/profile.js';
import { secretWeakness } from '../../common/secret-strength.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { IpcDispatcher } from '../../main/presenter/ipc-dispatch.js';
import { presenterHandlers } from '../../main/presenter/ipc-handlers.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { fakePresenter } from '../support/studio-fakes.js';

const WEAK = ['aaaaaaaaaaaaaaaaaaaa', 'abababababababababab', 'passpasspasspasspass', '1234567890123456'];
const STRONG = randomBytes(24).toString('hex');

function make() {
  const secrets = new MemorySecretStore();
  return { secrets, p: new PresenterProfile(new MemorySettingsStore(), secrets) };
}

describe('presenter token strength', () => {
  it('is the node rule: every token the node refuses, the presenter refuses with the same reason', () => {
    for (const t of WEAK) {
      const reason = secretWeakness(t)!;
      expect(reason, t).not.toBeNull();
      expect(presenterTokenProblem(t), t).toBe(`The presenter token is too weak: ${reason}; generate one with \`openssl rand -hex 32\``);
      const env = { TANDEM_SECRET: randomBytes(32).toString('hex'), TANDEM_CONTROL_TOKEN: t };
      expect(() => loadNodeConfig({ argv: [], env }), t).toThrow(reason);
    }
    expect(presenterTokenProblem(STRONG)).toBeNull();
    expect(presenterTokenProblem('short')).toMatch(/too short/);
  });

  it('servers.save refuses a weak token in words and stores nothing', async () => {
    const { p, secrets } = make();
    for (const t of WEAK) {
      await expect(p.save({ id: 'a', url: 'rtmp://h/live/KEY', controlUrl: 'https://h', token: t })).rejects.toMatchObject({
        code: 'invalid-args',
        message: expect.stringMatching(/^The presenter token is too weak: /),
        issues: [{ path: ['token'], message: expect.stringMatching(/too weak/) }],
      });
    }
    expect(await p.servers()).toEqual([]);
    expect(await secrets.get('server/a/token')).toBeNull();
    await p.save({ id: 'a', url: 'rtmp://h/live/KEY', controlUrl: 'https://h', token: STRONG });
    expect((await p.engineServers())[0]).toMatchObject({ controlToken: STRONG });
    // An edit with the field empty keeps the stored (strong) token; a weak replacement is refused and changes nothing.
    await expect(p.save({ originalId: 'a', id: 'a', url: 'rtmp://h/live', controlUrl: 'https://h', token: WEAK[0] })).rejects.toMatchObject({ code: 'invalid-args' });
    expect((await p.engineServers())[0]).toMatchObject({ controlToken: STRONG });
  });

  it('a profile carrying a weak token is refused, saying which server', async () => {
    const { p } = make();
    const profile = (token: string) =>
      JSON.stringify({ version: 1, name: 'Org', servers: [{ id: 'n1', url: 'rtmp://h/live/KEY', controlUrl: 'https://h', token }] });
    await expect(p.importProfile(profile(WEAK[1]!))).rejects.toMatchObject({
      code: 'invalid-profile',
      message: expect.stringContaining('servers.0.token: The presenter token is too weak: it is one short pattern repeated'),
    });
    expect(await p.servers()).toEqual([]);
    await p.importProfile(profile(STRONG));
    expect(await p.servers()).toMatchObject([{ id: 'n1', hasToken: true }]);
  });

  it('reaches the form through IPC: servers.save answers with the sentence on the token field', async () => {
    const { p } = make();
    const { presenter } = fakePresenter(p);
    const d = new IpcDispatcher(presenterHandlers(presenter), silentLogger);
    const r = await d.dispatch('servers.save', { id: 'a', url: 'rtmp://h/live/KEY', controlUrl: 'https://h', token: WEAK[2] }, { clientId: 'w1' });
    expect(r).toMatchObject({ ok: false, code: 'invalid-args', issues: [{ path: ['token'], message: `The presenter token is too weak: ${secretWeakness(WEAK[2]!)}; generate one with \`openssl rand -hex 32\`` }] });
    expect(await p.servers()).toEqual([]);
    await presenter.shutdown();
  });
});
