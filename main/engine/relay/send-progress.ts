// Whether a publishing session still gets its bytes out, judged each tick from two counters: what
// the kernel took (no progress while bytes wait: its buffers are full) and, with servers that send
// RTMP acknowledgements, what the server read (sooner: the kernel may buffer megabytes for a server
// that stopped reading). When neither moved for the stall timeout, the kernel is asked whether the
// server still acknowledges TCP: a closed window is a live server not reading (stalled), segments
// retransmitted unanswered are a dead connection (half-open: connection-lost).
import type { PublishFailure } from '../rtmp/rtmp-publisher.js';
import type { TcpPeerState } from './tcp-peer-state.js';

export interface ProgressSample {
  now: number;
  /** Bytes the kernel took so far this session. */
  flushed: number;
  /** Bytes the server acknowledged so far (0 from servers that never acknowledge). */
  acked: number;
  /** Bytes waiting to go (our backlog or the socket's buffer) right now. */
  waiting: boolean;
}

export class SendProgress {
  private flushed = 0;
  private acked = 0;
  private lastFlushAt: number;
  private lastAckAt: number;

  constructor(
    now: number,
    private readonly stallMs: number,
    /** Unacknowledged bytes above which a silent server counts as not reading (two windows). */
    private readonly unackedSlack: number,
  ) {
    this.lastFlushAt = now;
    this.lastAckAt = now;
  }

  /** Null while bytes move; otherwise why not, once `peer` (asked only then) has been consulted. */
  check(s: ProgressSample, peer: () => TcpPeerState): PublishFailure | null {
    if (s.acked !== this.acked) {
      this.acked = s.acked;
      this.lastAckAt = s.now;
    }
    if (s.flushed > this.flushed || !s.waiting) {
      this.flushed = s.flushed;
      this.lastFlushAt = s.now;
    }
    const kernelStalled = s.now - this.lastFlushAt > this.stallMs;
    const serverStalled = s.acked > 0 && s.flushed - s.acked > this.unackedSlack && s.now - this.lastAckAt > this.stallMs;
    if (!kernelStalled && !serverStalled) return null;
    if (peer() === 'unacknowledged') {
      return { reason: 'connection-lost', message: 'The server stopped acknowledging: the connection is dead (host down or network lost)' };
    }
    return { reason: 'stalled', message: 'The server stopped accepting data (it is alive but not reading)' };
  }
}
