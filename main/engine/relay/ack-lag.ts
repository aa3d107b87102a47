// How far behind a server reads, in media time: the newest tag sent against the newest tag the
// server has acknowledged reading (RTMP Acknowledgement, every 64 KiB here). The engine's own queue
// says nothing while bytes wait in the kernel and in flight (up to the in-flight limit: seconds of
// media on a weak upload), so the uplink controller reads this too, and sees a short upload within
// a window instead of once the in-flight limit is full.

/** Tags remembered between two acknowledgements; beyond it the oldest go (the lag is then a bound). */
const MAX_MARKS = 4096;

export class AckLag {
  /** [byte offset at the end of a sent tag, its media timestamp], oldest first. */
  private marks: Array<[number, number]> = [];
  private lastSentTs = 0;
  private ackedTs: number | null = null;

  /** A tag left for the server: it ends at byte `offset` of the session and carries `ts`. */
  sent(offset: number, ts: number): void {
    this.lastSentTs = ts;
    this.marks.push([offset, ts]);
    if (this.marks.length > MAX_MARKS) this.marks.splice(0, this.marks.length - MAX_MARKS);
  }

  /** Media ms the server is behind what was sent; null before the server ever acknowledged. */
  lagMs(ackedBytes: number): number | null {
    let i = 0;
    while (i < this.marks.length && this.marks[i]![0] <= ackedBytes) this.ackedTs = this.marks[i++]![1];
    if (i > 0) this.marks.splice(0, i);
    if (this.ackedTs === null) return null;
    return Math.max(0, this.lastSentTs - this.ackedTs);
  }
}
