// A relay's byte counters across its sessions: what the kernel took (sent), what the server
// acknowledged, and the send rate over the last second from samples the relay takes as it ticks.

const WINDOW_MS = 1000;

export class RelayMeter {
  private flushedBefore = 0;
  private ackedBefore = 0;
  private samples: Array<[number, number]> = [];

  constructor(private readonly now: () => number) {}

  /** A session ended with these counts: later totals start from them. */
  sessionEnded(flushed: number, acked: number): void {
    this.flushedBefore += flushed;
    this.ackedBefore += acked;
  }

  totalFlushed(current: number): number {
    return this.flushedBefore + current;
  }

  totalAcked(current: number): number {
    return this.ackedBefore + current;
  }

  sample(currentFlushed: number): void {
    const now = this.now();
    this.samples.push([now, this.totalFlushed(currentFlushed)]);
    while (this.samples.length > 0 && now - this.samples[0]![0] > WINDOW_MS * 1.5) this.samples.shift();
  }

  /** Bits per second handed to the kernel over about the last second (0 without two samples). */
  sendBps(currentFlushed: number): number {
    const now = this.now();
    const last: [number, number] = [now, this.totalFlushed(currentFlushed)];
    const first = this.samples.find(([t]) => now - t <= WINDOW_MS * 1.5);
    if (!first) return 0;
    const dt = (last[0] - first[0]) / 1000;
    return dt > 0.2 ? Math.round(((last[1] - first[1]) * 8) / dt) : 0;
  }
}
