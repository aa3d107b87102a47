// The relay's two pure judgements: what to do after a failed publish (count key refusals, give up
// at three, retry slowly what a presenter must fix, watch a restarting server) and whether bytes
// still move (kernel progress, server acknowledgements, and the kernel's word on a silent peer).
import { describe, expect, it } from 'vitest';
import { decideRetry } from '../../main/engine/relay/retry-policy.js';
import { SendProgress } from '../../main/engine/relay/send-progress.js';
import { tcpPeerState } from '../../main/engine/relay/tcp-peer-state.js';

describe('decideRetry', () => {
  it('counts key refusals, gives up at the third, and keeps the count across a taken stream name', () => {
    expect(decideRetry('key-refused', 0, 3, 2000)).toEqual({ refusals: 1, giveUp: false, state: 'failed', floorMs: 2000, watch: false });
    expect(decideRetry('stream-in-use', 1, 3, 2000)).toMatchObject({ refusals: 1, giveUp: false, state: 'failed', floorMs: 2000 });
    expect(decideRetry('signature-expired', 1, 3, 2000)).toMatchObject({ refusals: 2, giveUp: false });
    expect(decideRetry('publish-rejected', 2, 3, 2000)).toMatchObject({ refusals: 3, giveUp: true });
  });

  it('clears the count on any other failure, retries network trouble fast, and watches a restarting server', () => {
    expect(decideRetry('refused', 2, 3, 2000)).toEqual({ refusals: 0, giveUp: false, state: 'reconnecting', floorMs: 0, watch: true });
    expect(decideRetry('closed-by-server', 0, 3, 2000)).toMatchObject({ state: 'reconnecting', watch: true });
    expect(decideRetry('stalled', 0, 3, 2000)).toMatchObject({ state: 'reconnecting', floorMs: 0, watch: false });
    expect(decideRetry('tls-certificate', 0, 3, 2000)).toMatchObject({ state: 'failed', floorMs: 2000, refusals: 0 });
  });
});

describe('SendProgress', () => {
  const peerNeverAsked = () => {
    throw new Error('the kernel is asked only once bytes stopped');
  };

  it('is quiet while the kernel takes bytes or nothing waits', () => {
    const p = new SendProgress(0, 4000, 128 * 1024);
    for (let t = 0; t <= 20_000; t += 250) expect(p.check({ now: t, flushed: t * 100, acked: 0, waiting: true }, peerNeverAsked)).toBeNull();
    // Nothing to send for a long time (encoder restarting) is no stall.
    for (let t = 20_250; t <= 40_000; t += 250) expect(p.check({ now: t, flushed: 2_000_000, acked: 0, waiting: false }, peerNeverAsked)).toBeNull();
  });

  it('calls a kernel that takes nothing for the timeout stalled, or connection-lost when the peer acknowledges nothing', () => {
    const p = new SendProgress(0, 4000, 128 * 1024);
    p.check({ now: 0, flushed: 1000, acked: 0, waiting: true }, peerNeverAsked);
    expect(p.check({ now: 4000, flushed: 1000, acked: 0, waiting: true }, peerNeverAsked)).toBeNull();
    expect(p.check({ now: 4250, flushed: 1000, acked: 0, waiting: true }, () => 'zero-window')).toMatchObject({ reason: 'stalled' });
    expect(p.check({ now: 4500, flushed: 1000, acked: 0, waiting: true }, () => 'unacknowledged')).toMatchObject({ reason: 'connection-lost' });
  });

  it('calls a server that acknowledges nothing more while the kernel still buffers stalled, before the kernel fills', () => {
    const p = new SendProgress(0, 3000, 128 * 1024);
    expect(p.check({ now: 0, flushed: 200_000, acked: 190_000, waiting: true }, peerNeverAsked)).toBeNull();
    // The kernel keeps taking bytes; the server's acknowledgements stop at 190 000.
    for (let t = 250; t <= 3000; t += 250) expect(p.check({ now: t, flushed: 200_000 + t * 100, acked: 190_000, waiting: true }, peerNeverAsked)).toBeNull();
    expect(p.check({ now: 3250, flushed: 525_000, acked: 190_000, waiting: true }, () => 'unknown')).toMatchObject({ reason: 'stalled', message: expect.stringMatching(/alive but not reading/) });
  });
});

describe('tcpPeerState', () => {
  // Lines as /proc/net/tcp prints them: local 127.0.0.1:40000 (9C40) to 127.0.0.1:1935 (078F).
  const table = (timer: string) =>
    [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:078F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
      `   1: 0100007F:9C40 0100007F:078F 01 0004A000:00000000 ${timer}:000000C8 00000003     0        0 2 1 0 20 4 30 10 -1`,
    ].join('\n');
  const read = (t: string) => (file: string) => (file.endsWith('tcp') ? table(t) : '');

  it('reads the kernel timer of our connection: zero-window probes, retransmissions, or neither', () => {
    expect(tcpPeerState(40000, 1935, read('04'))).toBe('zero-window');
    expect(tcpPeerState(40000, 1935, read('01'))).toBe('unacknowledged');
    expect(tcpPeerState(40000, 1935, read('00'))).toBe('unknown');
    expect(tcpPeerState(40001, 1935, read('01'))).toBe('unknown'); // not our connection
  });
});
