// A key the server refuses three times in a row is not tried a fourth time until the presenter
// retries (or edits the key); retry() publishes at once and, with a key the server takes, goes live.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { Relay } from '../../main/engine/relay/relay.js';
import { acceptAll, type FakeServer, startFakeServer } from '../support/publisher-fake-server.js';
import { waitFor } from '../support/wait-for.js';

let server: FakeServer | null = null;
let relay: Relay | null = null;

afterEach(async () => {
  await relay?.stop();
  relay = null;
  await server?.close();
  server = null;
});

const noSource = { header: null, hasVideo: false, joinTags: () => [] };

describe('Relay refusals', () => {
  it('stops after three refused keys in a row, says so, and publishes again on retry() with the edited key', async () => {
    let goodKey = 'good-key-1234';
    server = await startFakeServer({
      onCommand: (peer, c) => {
        if (c.name === 'publish' && c.args[0] !== goodKey) return peer.status(c.streamId, 'error', 'NetStream.Publish.BadName', 'bad-signature');
        acceptAll(peer, c);
      },
    });
    relay = new Relay(
      { id: 'a', url: server.url('wrong-key-1234'), label: 'rtmp://127.0.0.1/live/••••', logger: silentLogger, rejectedFloorMs: 50, backoff: { initialMs: 50, maxMs: 100, factor: 1, jitter: 0 }, confirmMs: 50 },
      noSource,
    );
    relay.start();
    await waitFor(() => relay!.snapshot().metrics.refusals === 3, { timeoutMs: 5000, what: 'three refusals' });
    const snap = relay.snapshot();
    expect(snap.state).toBe('failed');
    expect(snap.reason).toBe('key-refused');
    expect(snap.nextAttemptAt).toBeNull();
    expect(snap.message).toMatch(/Refused 3 times in a row: not retrying until you retry or change the key/);
    expect(snap.message).not.toContain('wrong-key');
    // Ten retry intervals later, still three attempts: nothing retries by itself.
    const attempts = server.peers.length;
    expect(attempts).toBe(3);
    await new Promise((r) => setTimeout(r, 1000));
    expect(server.peers.length).toBe(3);

    relay.retry(); // the same wrong key: three more attempts at once, then it stops again
    await waitFor(() => server!.peers.length === 6 && relay!.snapshot().metrics.refusals === 3, { timeoutMs: 3000, what: 'three more attempts' });
    expect(relay.snapshot().nextAttemptAt).toBeNull();

    goodKey = 'edited-key-5678';
    relay.retry(server.url(goodKey));
    await waitFor(() => relay!.snapshot().state === 'live', { timeoutMs: 3000, what: 'live with the edited key' });
    expect(relay.snapshot().metrics.refusals).toBe(0);
  });

  it('ends the retries even when a loaded server refuses the key after the 200 ms confirmation (it looked live for a moment)', async () => {
    server = await startFakeServer({
      onCommand: (peer, c) => {
        acceptAll(peer, c);
        if (c.name === 'publish') setTimeout(() => peer.status(c.streamId, 'error', 'NetStream.Publish.BadName', 'bad-signature: late'), 150);
      },
    });
    relay = new Relay(
      { id: 'a', url: server.url('wrong-key-1234'), label: 'rtmp://127.0.0.1/live/••••', logger: silentLogger, rejectedFloorMs: 50, backoff: { initialMs: 50, maxMs: 100, factor: 1, jitter: 0 }, confirmMs: 50 },
      noSource,
    );
    relay.start();
    await waitFor(() => relay!.snapshot().metrics.waitingForPresenter === true, { timeoutMs: 5000, what: () => `the engine to give up; it says ${relay!.snapshot().message}` });
    expect(relay.snapshot()).toMatchObject({ state: 'failed', reason: 'key-refused', metrics: { refusals: 3 } });
    expect(server.peers.length).toBe(3);
    relay.retry();
    expect(relay.snapshot().metrics.waitingForPresenter).toBe(false);
  });

  it('keeps retrying a stream in use (another publisher may let go) and never counts it as a refused key', async () => {
    server = await startFakeServer({
      onCommand: (peer, c) => (c.name === 'publish' ? peer.status(c.streamId, 'error', 'NetStream.Publish.BadName', 'Already publishing') : acceptAll(peer, c)),
    });
    relay = new Relay(
      { id: 'a', url: server.url('key-1234'), label: 'x', logger: silentLogger, rejectedFloorMs: 50, backoff: { initialMs: 50, maxMs: 50, factor: 1, jitter: 0 } },
      noSource,
    );
    relay.start();
    await waitFor(() => server!.peers.length >= 5, { timeoutMs: 5000, what: 'five attempts' });
    const snap = relay.snapshot();
    expect(snap.reason).toBe('stream-in-use');
    expect(snap.metrics.refusals).toBe(0);
  });
});
