// Each way a server can fail a publish has its own reason: a closed port (refused), a host that
// accepts and never answers (timeout), a server that answers garbage (protocol-error), and a
// connection that goes half-open (connection-lost: the host vanished mid-stream, here a veth link
// into a network namespace taken down under ffmpeg's RTMP listener). The stalled server (alive, not
// reading) is engine-slow-relay.test.ts; SIGKILL and SIGSTOP are engine-failover.test.ts.
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_TEST_SOURCE } from '../support/engine-harness.js';
import { freePort } from '../support/ports.js';
import { type EncodedRelays, encodeTo, listening, relay } from '../support/publisher-encode.js';
import { type SilentServer, startSilentServer } from '../support/silent-server.js';
import { waitFor } from '../support/wait-for.js';

let silent: SilentServer;
let garbage: net.Server;
let garbagePort: number;
let live: EncodedRelays | null = null;

beforeAll(async () => {
  silent = await startSilentServer();
  garbage = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end(Buffer.from([0x07, 0xde, 0xad, 0xbe, 0xef])));
  });
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
  garbagePort = (garbage.address() as net.AddressInfo).port;
});
afterEach(async () => {
  await live?.stop();
  live = null;
});
afterAll(async () => {
  await silent?.close();
  await new Promise((r) => garbage?.close(r));
});

describe('relay faults, each with its own reason', () => {
  it('a closed port is refused, a silent host times out, garbage is a protocol error, and none of them says the key', async () => {
    const closed = await freePort();
    live = encodeTo({ kind: 'audio-test' }, (cache) => [
      relay(cache, `rtmp://127.0.0.1:${closed}/live/key-closed-1`),
      relay(cache, silent.url('live', 'key-silent-1'), { publishTimeoutMs: 1500 }),
      relay(cache, `rtmp://127.0.0.1:${garbagePort}/live/key-garbage-1`),
    ]);
    const [c, s, g] = live.relays as [NonNullable<EncodedRelays['relays'][0]>, NonNullable<EncodedRelays['relays'][0]>, NonNullable<EncodedRelays['relays'][0]>];
    await waitFor(() => c.snapshot().reason === 'refused', { timeoutMs: 5000, what: 'refused' });
    expect(c.snapshot().message).toMatch(/refused the connection: nothing is listening on port/);
    await waitFor(() => s.snapshot().reason === 'timeout', { timeoutMs: 5000, what: 'timeout' });
    expect(s.snapshot().message).toMatch(/did not answer: no RTMP handshake within 1\.5 s/);
    await waitFor(() => g.snapshot().reason === 'protocol-error', { timeoutMs: 5000, what: 'protocol-error' });
    expect(g.snapshot().message).toMatch(/does not speak RTMP: unexpected handshake version 0x07/);
    for (const r of live.relays) {
      expect(r.snapshot().state).toBe('reconnecting');
      expect(JSON.stringify(r.snapshot())).not.toMatch(/key-(closed|silent|garbage)/);
    }
  });

  it('a connection that goes half-open mid-stream is connection-lost, not stalled', async () => {
    const net4 = halfOpenNet();
    const port = await freePort();
    const listener = spawn('ip', ['netns', 'exec', net4.ns, 'ffmpeg', '-hide_banner', '-v', 'error', '-listen', '1', '-i', `rtmp://${net4.serverIp}:${port}/live/key-half-1`, '-f', 'null', '-'], { stdio: 'ignore' });
    try {
      await waitFor(() => listening(port, execFileSync('ip', ['netns', 'exec', net4.ns, 'cat', '/proc/net/tcp'], { encoding: 'utf8' })), { timeoutMs: 10_000, what: 'ffmpeg listening in the namespace' });
      live = encodeTo(SMALL_TEST_SOURCE, (cache) => [relay(cache, `rtmp://${net4.serverIp}:${port}/live/key-half-1`, { stallTimeoutMs: 2000 })]);
      const r = live.relays[0]!;
      await waitFor(() => r.currentState === 'live' && (r.snapshot().metrics.ackedBytes ?? 0) > 0, { timeoutMs: 10_000, what: 'live, with acknowledgements' });
      net4.cut(); // the far end's link goes down: no RST, no FIN, nothing comes back
      await waitFor(() => r.snapshot().reason === 'connection-lost', { timeoutMs: 15_000, what: 'connection-lost' });
      expect(r.snapshot().message).toMatch(/stopped acknowledging: the connection is dead/);
    } finally {
      listener.kill('SIGKILL');
      net4.remove();
    }
  });
});

/** A network namespace behind a veth pair, both ends ours; `cut` takes the far end down. */
function halfOpenNet(): { ns: string; serverIp: string; cut(): void; remove(): void } {
  const id = process.pid % 10_000;
  const octet = 20 + (process.pid % 200);
  const ns = `tandem-half-${id}`;
  const near = `thn${id}`;
  const far = `thf${id}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
  const remove = () => {
    for (const args of [['link', 'del', near], ['netns', 'del', ns]]) {
      try {
        ip(...args);
      } catch {
        /* already gone */
      }
    }
  };
  remove();
  ip('netns', 'add', ns);
  ip('link', 'add', near, 'type', 'veth', 'peer', 'name', far);
  ip('link', 'set', far, 'netns', ns);
  ip('addr', 'add', `10.213.${octet}.1/30`, 'dev', near);
  ip('link', 'set', near, 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', `10.213.${octet}.2/30`, 'dev', far);
  ip('netns', 'exec', ns, 'ip', 'link', 'set', far, 'up');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  return { ns, serverIp: `10.213.${octet}.2`, cut: () => ip('netns', 'exec', ns, 'ip', 'link', 'set', far, 'down'), remove };
}
