// The engine's FLV demuxer: the shared reader (common/flv-reader.ts) with the engine's shapes: a
// header callback, tags whose body is a Buffer of their own, and FlvFormatError (code
// 'protocol-error') for input that is not FLV or loses its framing.
import { FLV_HEADER_SIZE, FlvReadError, FlvReader } from '../../../common/flv-reader.js';
import { type FlvTag } from './flv-tag.js';

export { FLV_HEADER_SIZE };

export class FlvFormatError extends Error {
  readonly code = 'protocol-error';
}

export interface FlvHeader {
  hasAudio: boolean;
  hasVideo: boolean;
}

export class FlvParser {
  private readonly reader: FlvReader;

  constructor(
    onHeader: (h: FlvHeader) => void,
    onTag: (t: FlvTag) => void,
  ) {
    this.reader = new FlvReader({
      onHeader: (h) => onHeader({ hasAudio: h.hasAudio, hasVideo: h.hasVideo }),
      // Copy the body out so the tag does not pin the whole input chunk in memory.
      onTag: (t) => onTag({ type: t.type, timestamp: t.timestamp, data: Buffer.from(t.body) }),
    });
  }

  /** Resets for a new FLV stream (the encoder restarted): the next bytes start with a header. */
  reset(): void {
    this.reader.reset();
  }

  push(chunk: Buffer): void {
    try {
      this.reader.push(chunk);
    } catch (err) {
      throw err instanceof FlvReadError ? new FlvFormatError(err.message) : err;
    }
  }
}
