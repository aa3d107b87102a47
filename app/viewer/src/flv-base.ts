// Which FLV timestamp is at video.currentTime 0. mpegts.js plays a live FLV stream from time 0:
// currentTime is (tag timestamp - base) / 1000. Its remuxer fixes base once, at the end of the
// first chunk that has complete frames after the sequence headers of every track the FLV header
// announces: the earliest first-audio or first-video frame timestamp seen by then. Cues are
// stamped in the node's FLV timeline, so the page follows the same rule on the same chunks (its
// loader sees every chunk before mpegts.js does) and maps cue times onto currentTime.
// test/unit/viewer-flv-base.test.ts holds this to mpegts.js's own demuxer and remuxer.
import { FlvReadError, FlvReader, TAG_AUDIO, TAG_VIDEO, audioPacket, videoPacket } from '../../../common/flv-reader.js';

/** Past this many tags or bytes without a base the stream is not one the page can time: cues then show as they come. */
const SNIFF_MAX_TAGS = 2000;
const SNIFF_MAX_BYTES = 8 * 1024 * 1024;

export type ChunkSink = (chunk: ArrayBuffer) => void;

/** Reads tags chunk by chunk, as mpegts.js's demuxer gets them, until the base is known. */
export function createFlvBaseSniffer(onBase: (timestampMs: number) => void): ChunkSink {
  let expectAudio = true;
  let expectVideo = true;
  let audioConfig = false;
  let videoConfig = false;
  let firstAudio: number | null = null;
  let firstVideo: number | null = null;
  let tags = 0;
  let bytes = 0;
  let done = false;

  const reader = new FlvReader({
    onHeader: (h) => {
      expectAudio = h.hasAudio;
      expectVideo = h.hasVideo;
    },
    onTag: (t) => {
      tags += 1;
      if (t.body.length < 2) return; // nothing mpegts.js would play
      if (t.type === TAG_VIDEO) {
        const p = videoPacket(t.body);
        if (p.kind === 'sequence-start') videoConfig = true;
        else if (p.kind === 'frame') {
          if (!p.hasConfig) videoConfig = true;
          firstVideo ??= t.timestamp;
        }
      } else if (t.type === TAG_AUDIO) {
        const p = audioPacket(t.body);
        if (p.kind === 'sequence-start' || !p.hasConfig) audioConfig = true;
        if (p.kind === 'frame') firstAudio ??= t.timestamp;
      }
    },
  });

  function endOfChunk(): void {
    const ready = (expectAudio || expectVideo) && (audioConfig || !expectAudio) && (videoConfig || !expectVideo);
    if (ready && (firstAudio !== null || firstVideo !== null)) {
      done = true;
      onBase(Math.min(firstAudio ?? Infinity, firstVideo ?? Infinity));
    } else if (tags >= SNIFF_MAX_TAGS || bytes > SNIFF_MAX_BYTES) {
      done = true;
    }
  }

  return (chunk) => {
    if (done) return;
    bytes += chunk.byteLength;
    try {
      reader.push(new Uint8Array(chunk));
    } catch (err) {
      if (!(err instanceof FlvReadError)) throw err;
      done = true; // not FLV, or out of step: nothing to time
      return;
    }
    endOfChunk();
  };
}
