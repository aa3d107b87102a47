// Test support: a WebSocket-FLV (or HTTP-FLV) viewer that parses FLV tags, so tests can tell real
// media frames from silence and see exactly when the connection closed.
import http from 'node:http';
import WebSocket from 'ws';

export interface FlvViewer {
  /** FLV tags received: 8 audio, 9 video, 18 script. */
  tags: { type: number; at: number }[];
  videoTagsSince(t: number): number;
  mediaTagsSince(t: number): number;
  lastMessageAt(): number;
  opened: Promise<void>;
  closed: Promise<void>;
  isClosed(): boolean;
  closedAt(): number | null;
  close(): void;
}

class FlvParser {
  private buf: Buffer = Buffer.alloc(0);
  private headerDone = false;
  constructor(private readonly onTag: (type: number) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.headerDone) {
      if (this.buf.length < 13) return;
      if (this.buf.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      this.buf = this.buf.subarray(this.buf.readUInt32BE(5) + 4);
      this.headerDone = true;
    }
    while (this.buf.length >= 11) {
      const size = this.buf.readUIntBE(1, 3);
      if (this.buf.length < 11 + size + 4) return;
      this.onTag(this.buf[0]! & 0x1f);
      this.buf = this.buf.subarray(11 + size + 4);
    }
  }
}

function makeViewer(): { v: FlvViewer; parser: FlvParser; markOpen: () => void; markClosed: () => void; setCloser: (f: () => void) => void; touch: () => void } {
  let last = 0;
  let closedAt: number | null = null;
  let markOpen!: () => void;
  let markClosedResolve!: () => void;
  let closer: () => void = () => undefined;
  const tags: { type: number; at: number }[] = [];
  const opened = new Promise<void>((r) => (markOpen = r));
  const closed = new Promise<void>((r) => (markClosedResolve = r));
  const v: FlvViewer = {
    tags,
    videoTagsSince: (t) => tags.filter((x) => x.type === 9 && x.at >= t).length,
    mediaTagsSince: (t) => tags.filter((x) => (x.type === 8 || x.type === 9) && x.at >= t).length,
    lastMessageAt: () => last,
    opened,
    closed,
    isClosed: () => closedAt !== null,
    closedAt: () => closedAt,
    close: () => closer(),
  };
  const parser = new FlvParser((type) => tags.push({ type, at: Date.now() }));
  return {
    v,
    parser,
    markOpen,
    markClosed: () => {
      if (closedAt === null) closedAt = Date.now();
      markClosedResolve();
    },
    setCloser: (f) => (closer = f),
    touch: () => (last = Date.now()),
  };
}

export function wsFlvViewer(url: string): FlvViewer {
  const { v, parser, markOpen, markClosed, setCloser, touch } = makeViewer();
  const ws = new WebSocket(url, { perMessageDeflate: false });
  setCloser(() => ws.terminate());
  ws.on('open', markOpen);
  ws.on('message', (data: Buffer) => {
    touch();
    parser.push(data);
  });
  ws.on('close', markClosed);
  ws.on('error', markClosed);
  return v;
}

export function httpFlvViewer(url: string): FlvViewer {
  const { v, parser, markOpen, markClosed, setCloser, touch } = makeViewer();
  const req = http.get(url, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      markClosed();
      return;
    }
    markOpen();
    res.on('data', (d: Buffer) => {
      touch();
      parser.push(d);
    });
    res.on('close', markClosed);
  });
  setCloser(() => req.destroy());
  req.on('error', markClosed);
  return v;
}
