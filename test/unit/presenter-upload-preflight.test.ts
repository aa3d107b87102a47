// Test servers with the upload check, on a fake engine: the setup check first, then the preflight
// with every saved server (Tandem nodes with their control URL and token, plain RTMP ones without),
// and the verdict in words for all of them at the encoder's full rates.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import type { PreflightServer } from '../../main/engine/uplink/preflight.js';
import { LiveSession } from '../../main/presenter/live-session.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { FakeConnection } from '../support/studio-fakes.js';

describe('Test servers: the upload check', () => {
  it('probes the Tandem nodes after the setup check and says the verdict for every server', async () => {
    const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
    const token = randomBytes(24).toString('hex');
    await profile.save({ id: 'n1', url: 'rtmp://127.0.0.1:1935/live', streamKey: 'k1', controlUrl: 'http://127.0.0.1:8080', token });
    await profile.save({ id: 'n2', url: 'rtmp://127.0.0.1:1936/live', streamKey: 'k2', controlUrl: 'http://127.0.0.1:8081', token });
    await profile.save({ id: 'yt', url: 'rtmp://127.0.0.1:1937/live', streamKey: 'k3' });
    // A node saved without its token is still probed (without one) at its http address.
    await profile.save({ id: 'n3', url: 'rtmp://127.0.0.1:1938/live', streamKey: 'k4', controlUrl: 'http://127.0.0.1:8082' });
    const order: string[] = [];
    let probed: PreflightServer[] = [];
    const session = new LiveSession({
      profile,
      createConnection: () => new FakeConnection(),
      logger: silentLogger,
      checkServers: async (servers) => {
        order.push('setup');
        return servers.map((s) => ({ id: s.id, label: s.id, result: 'ready', message: 'm', elapsedMs: 1 }));
      },
      preflight: async (servers) => {
        order.push('preflight');
        probed = servers;
        return {
          servers: [
            { id: 'n1', bps: 3_000_000, reason: 'measured' },
            { id: 'n2', bps: 3_000_000, reason: 'measured' },
            { id: 'yt', bps: null, reason: 'plain RTMP server (it cannot take a test without publishing)' },
            { id: 'n3', bps: null, reason: 'this node takes the test only with its presenter token: add it to the server' },
          ],
          uploadBps: 6_000_000,
          capped: false,
        };
      },
    });
    const r = await session.testServers();
    expect(order).toEqual(['setup', 'preflight']);
    expect(probed.map((s) => [s.id, s.controlUrl ?? null, s.controlToken === token])).toEqual([
      ['n1', 'ws://127.0.0.1:8080/control', true],
      ['n2', 'ws://127.0.0.1:8081/control', true],
      ['yt', null, false],
      ['n3', 'http://127.0.0.1:8082', false],
    ]);
    // Four servers at 2.5 Mb/s need 11.8 Mb/s; 6 Mb/s carries them at 35 % (875 kb/s).
    expect(r.upload).toEqual({
      kind: 'reduce',
      verdict: 'Your upload carries about 6.0 Mb/s: not enough for 4 servers at 2.5 Mb/s each; Tandem will lower the quality to 875 kb/s',
      servers: [
        { id: 'n1', bps: 3_000_000, sentence: '3.0 Mb/s reached it during the test' },
        { id: 'n2', bps: 3_000_000, sentence: '3.0 Mb/s reached it during the test' },
        { id: 'yt', bps: null, sentence: 'not measured: plain RTMP server (it cannot take a test without publishing)' },
        { id: 'n3', bps: null, sentence: 'not measured: this node takes the test only with its presenter token: add it to the server' },
      ],
    });
  });
});
