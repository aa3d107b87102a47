// Per stream, the bits per second received from its publisher, from the media core's cumulative byte
// counts (one stats message a second): only that stream's media, not other streams' or viewers'.
export class StreamRates {
  /** Per stream: bytes received at the last stats message, and when. */
  private last: { at: number; bytes: Map<string, number> } | null = null;
  private bps = new Map<string, number>();

  /** Bits per second between the last two counts; 0 for a stream with nothing new. */
  of(stream: string): number {
    return this.bps.get(stream) ?? 0;
  }

  /** Takes the core's cumulative per-stream counts. */
  update(counts: Record<string, number>, now = Date.now()): void {
    const bytes = new Map(Object.entries(counts));
    const prev = this.last;
    this.last = { at: now, bytes };
    const rates = new Map<string, number>();
    if (prev && now > prev.at) {
      for (const [stream, b] of bytes) {
        const delta = b - (prev.bytes.get(stream) ?? 0);
        rates.set(stream, delta > 0 ? Math.round((delta * 8 * 1000) / (now - prev.at)) : 0);
      }
    }
    this.bps = rates;
  }

  /** A new core counts from zero. */
  reset(): void {
    this.last = null;
    this.bps = new Map();
  }
}
