// Which tracks the stream has. node-media-server's FLV header always announces audio and video, and
// mpegts.js, told so, waits for a video track an audio-only webcast never sends. The publisher's
// onMetaData says which codecs there are, so the page holds the first bytes until it has read that
// (or the first media tag), and corrects the header's track flags before mpegts.js sees them.
import { FlvReadError, FlvReader, TAG_SCRIPT } from '../../../common/flv-reader.js';
import type { ChunkSink } from './flv-base.js';

/** Held at most before the bytes go on as they are. */
const GATE_MAX_BYTES = 512 * 1024;
/** Script tags read at most, looking for onMetaData. */
const GATE_MAX_TAGS = 16;
const FLAG_AUDIO = 4;
const FLAG_VIDEO = 1;

/** Whether an AMF0 object key (a 16-bit length, then the name) occurs in `body`. */
export function hasAmfKey(body: Uint8Array, key: string): boolean {
  outer: for (let i = 0; i + key.length + 2 <= body.length; i++) {
    if (body[i] !== 0 || body[i + 1] !== key.length) continue;
    for (let j = 0; j < key.length; j++) if (body[i + 2 + j] !== key.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}

/**
 * The FLV header's track flags from the stream's first tags: a number (4 audio | 1 video) from
 * onMetaData, false to leave the header as it is (media first, no codecs named, not FLV).
 */
class TrackSniffer {
  flags: number | false | null = null;
  private scripts = 0;
  private readonly reader = new FlvReader({
    onTag: (t) => {
      if (this.flags !== null) return;
      if (t.type !== TAG_SCRIPT) {
        this.flags = false; // media before any metadata: nothing to go by
      } else if (hasAmfKey(t.body, 'onMetaData')) {
        const audio = hasAmfKey(t.body, 'audiocodecid');
        const video = hasAmfKey(t.body, 'videocodecid');
        this.flags = audio || video ? (audio ? FLAG_AUDIO : 0) | (video ? FLAG_VIDEO : 0) : false;
      } else if (++this.scripts >= GATE_MAX_TAGS) {
        this.flags = false;
      }
    },
  });

  push(bytes: Uint8Array): void {
    if (this.flags !== null) return;
    try {
      this.reader.push(bytes);
    } catch (err) {
      if (!(err instanceof FlvReadError)) throw err;
      this.flags = false;
    }
  }
}

/** Holds chunks until the track flags are known, then passes them on (the held ones as one, patched). */
export function createTrackGate(pass: ChunkSink): ChunkSink {
  const sniffer = new TrackSniffer();
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let open = false;
  return (chunk) => {
    if (open) return pass(chunk);
    const bytes = new Uint8Array(chunk);
    held.push(bytes);
    heldBytes += bytes.length;
    sniffer.push(bytes);
    if (sniffer.flags === null && heldBytes < GATE_MAX_BYTES) return;
    const all = new Uint8Array(heldBytes);
    let at = 0;
    for (const h of held) {
      all.set(h, at);
      at += h.length;
    }
    if (typeof sniffer.flags === 'number' && all.length > 4) all[4] = (all[4]! & ~(FLAG_AUDIO | FLAG_VIDEO)) | sniffer.flags;
    open = true;
    held = [];
    pass(all.buffer);
  };
}
