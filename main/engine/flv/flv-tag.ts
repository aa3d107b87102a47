// FLV tag model: what the engine needs to know about each tag to cache, drop and rebase it
// without decoding media. The tag types are the shared reader's (common/flv-reader.ts).
import { TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO } from '../../../common/flv-reader.js';

export { TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO };

export interface FlvTag {
  type: number;
  /** Decode timestamp in ms (FLV's 24-bit timestamp + 8-bit extension). */
  timestamp: number;
  /** The tag body (without the 11-byte header and the trailing PreviousTagSize). */
  data: Buffer;
}

/** A video tag that starts a GOP (frame type 1). */
export function isKeyframe(tag: FlvTag): boolean {
  return tag.type === TAG_VIDEO && tag.data.length > 0 && (tag.data[0]! >> 4) === 1;
}

/** AVC/HEVC decoder configuration record or AAC AudioSpecificConfig. */
export function isSequenceHeader(tag: FlvTag): boolean {
  if (tag.data.length < 2) return false;
  if (tag.type === TAG_VIDEO) {
    const codec = tag.data[0]! & 0x0f;
    return (codec === 7 || codec === 12) && tag.data[1] === 0;
  }
  if (tag.type === TAG_AUDIO) {
    return (tag.data[0]! >> 4) === 10 && tag.data[1] === 0;
  }
  return false;
}

/** AVC end-of-sequence marker (packet type 2): carries no picture. */
export function isEndOfSequence(tag: FlvTag): boolean {
  return tag.type === TAG_VIDEO && tag.data.length >= 2 && (tag.data[0]! & 0x0f) === 7 && tag.data[1] === 2;
}

export function isMetadata(tag: FlvTag): boolean {
  // onMetaData / @setDataFrame script tags: AMF0 string marker (2) then the name.
  if (tag.type !== TAG_SCRIPT || tag.data.length < 3) return false;
  const len = tag.data.readUInt16BE(1);
  const name = tag.data.subarray(3, 3 + len).toString('latin1');
  return name === 'onMetaData' || name === '@setDataFrame';
}
