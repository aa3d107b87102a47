// mpegts.js's WebSocket loader, with the track gate and the timestamp-base sniffer in front: every
// chunk passes the gate (which corrects the FLV header's track flags), then the sniffer, then goes
// to mpegts.js unchanged, so the sniffer sees exactly the chunks the demuxer gets.
import type Mpegts from 'mpegts.js';
import { createFlvBaseSniffer } from './flv-base.js';
import { createTrackGate } from './track-gate.js';

type MpegtsModule = typeof Mpegts;

export function timedWebSocketLoader(mpegts: MpegtsModule, onBase: (timestampMs: number) => void): Mpegts.CustomLoaderConstructor {
  const { LoaderStatus } = mpegts;
  // mpegts.js's typings declare onError's first argument as the LoaderErrors table itself, not one of its values.
  const EXCEPTION = mpegts.LoaderErrors.EXCEPTION as unknown as Mpegts.LoaderErrors;
  return class TimedWebSocketLoader extends mpegts.BaseLoader {
    private ws: WebSocket | null = null;
    private requestAbort = false;
    private receivedLength = 0;
    private readonly sniff = createFlvBaseSniffer(onBase);
    private readonly feed = createTrackGate((chunk) => {
      this.sniff(chunk);
      const start = this.receivedLength;
      this.receivedLength += chunk.byteLength;
      this.onDataArrival?.(chunk, start, this.receivedLength);
    });

    constructor() {
      super('tandem-websocket-loader');
      this._needStash = true;
    }

    override destroy(): void {
      if (this.ws) this.abort();
      super.destroy();
    }

    override open(dataSource: Mpegts.MediaSegment): void {
      try {
        const ws = new WebSocket(dataSource.url);
        this.ws = ws;
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => {
          this._status = LoaderStatus.kBuffering;
        };
        ws.onclose = () => {
          if (this.requestAbort) {
            this.requestAbort = false;
            return;
          }
          this._status = LoaderStatus.kComplete;
          this.onComplete?.(0, this.receivedLength - 1);
        };
        ws.onmessage = (e: MessageEvent) => {
          if (e.data instanceof ArrayBuffer) this.feed(e.data);
        };
        ws.onerror = () => {
          this._status = LoaderStatus.kError;
          this.onError?.(EXCEPTION, { code: -1, msg: 'WebSocket error' });
        };
        this._status = LoaderStatus.kConnecting;
      } catch (e) {
        this._status = LoaderStatus.kError;
        this.onError?.(EXCEPTION, { code: -1, msg: e instanceof Error ? e.message : String(e) });
      }
    }

    override abort(): void {
      const ws = this.ws;
      if (ws && (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN)) {
        this.requestAbort = true;
        ws.close();
      }
      this.ws = null;
      this._status = LoaderStatus.kComplete;
    }
  };
}
