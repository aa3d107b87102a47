// Issue 11: the engine sends a presenter token over unencrypted ws:// only to loopback. A stand-in
// node listens on 127.0.0.1; reached as 127.0.0.1 it gets the token, reached as 0.0.0.0 (which
// Linux delivers to the same socket, but which is not a loopback name) it gets nothing, and the
// server's control status says why in words.
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../common/publish-url.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { cleartextRefusal } from '../../main/engine/control/control-session.js';
import { helloRecorder } from '../support/hello-recorder.js';

const TOKEN = 'presenter-token-0123456789';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('a presenter token over cleartext ws://', () => {
  it('names loopback hosts only: localhost, 127/8, ::1 and 127/8 as IPv4-mapped IPv6', () => {
    for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', '[::ffff:7f00:1]', 'LOCALHOST']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.1', '128.0.0.1', '127.0.0.1.evil.example', 'localhost.evil.example', '[::ffff:a00:1]', '[::]', 'example.com']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
    expect(cleartextRefusal('wss://node.example/control')).toBeNull();
    expect(cleartextRefusal('ws://127.0.0.1:8080/control')).toBeNull();
    expect(cleartextRefusal('ws://node.example:8080/control')).toMatch(/not sending the presenter token to node\.example:8080 over unencrypted ws:\/\/.*https:\/\//);
  });

  it('goes to a node on 127.0.0.1, and to nothing reached by a non-loopback name, with the reason as the control status', async () => {
    const node = await helloRecorder();
    cleanup.push(() => node.close());
    const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
    cleanup.push(() => plane.dispose());
    const statuses: string[] = [];
    plane.onStatus((e) => statuses.push(`${e.server}:${e.status.state}:${e.status.message}`));
    plane.setServers([
      { id: 'local', url: 'rtmp://127.0.0.1/live/k', controlUrl: `http://127.0.0.1:${node.port}`, controlToken: TOKEN },
      { id: 'remote', url: 'rtmp://127.0.0.1/live/k', controlUrl: `http://0.0.0.0:${node.port}`, controlToken: TOKEN },
    ]);
    const result = await plane.connect(3000);
    expect(result.get('local')?.state).toBe('connected');
    expect(result.get('remote')).toEqual({ state: 'failed', message: expect.stringMatching(/not sending the presenter token to 0\.0\.0\.0:\d+ over unencrypted ws:\/\//) });
    expect(statuses.some((s) => s.startsWith('remote:failed:not sending the presenter token'))).toBe(true);
    // Exactly one hello reached the socket: the loopback one. The refused session never connected.
    expect(node.hellos).toHaveLength(1);
  });
});
