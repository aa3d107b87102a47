// Issue 11: the presenter token never reaches a new address. A server saved with node A's control
// URL and a token is edited to node B's address with the token field left empty; the engine's
// control plane is then built from the profile as Go Live builds it. Two stand-in nodes on loopback
// record every hello: A gets the token, B gets none.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { helloRecorder, type HelloRecorder } from '../support/hello-recorder.js';

const TOKEN = 'presenter-token-0123456789';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function goLive(profile: PresenterProfile): Promise<ControlPlane> {
  const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  cleanup.push(() => plane.dispose());
  plane.setServers(await profile.engineServers());
  await plane.connect(3000);
  return plane;
}

describe('the presenter token and a moved control URL', () => {
  it('reaches the node it was saved for, never the node the URL moved to', async () => {
    const a: HelloRecorder = await helloRecorder();
    const b: HelloRecorder = await helloRecorder();
    cleanup.push(() => a.close(), () => b.close());
    const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());

    await profile.save({ id: 'n', url: 'rtmp://127.0.0.1/live/KEY', controlUrl: `http://127.0.0.1:${a.port}`, token: TOKEN });
    const first = await goLive(profile);
    expect(first.statusOf('n').state).toBe('connected');
    expect(a.hellos).toEqual([expect.objectContaining({ type: 'hello', role: 'presenter', token: TOKEN })]);
    first.dispose();

    await profile.save({ originalId: 'n', id: 'n', url: 'rtmp://127.0.0.1/live', controlUrl: `http://127.0.0.1:${b.port}` });
    const second = await goLive(profile);
    expect(JSON.stringify(b.hellos)).not.toContain(TOKEN);
    expect(b.hellos).toEqual([]);
    expect(second.statusOf('n').state).not.toBe('connected');
  });
});
