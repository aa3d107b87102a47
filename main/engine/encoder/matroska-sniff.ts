// Decides how to encode pushed Matroska/WebM before ffmpeg starts: H.264 is copied (no
// re-encode, the cheapest path), VP8/VP9/AV1 are transcoded to H.264, and no video track means
// audio only. Matroska stores CodecIDs as plain ASCII in the Tracks element, which precedes
// the first Cluster, so a byte search in the first chunks is enough.

export type VideoPlan = 'copy' | 'transcode' | 'none';

const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

export function planFromMimeType(mimeType: string | undefined): VideoPlan | null {
  if (!mimeType) return null;
  const m = mimeType.toLowerCase();
  if (/avc1|h264/.test(m)) return 'copy';
  if (/vp8|vp9|vp09|av01|av1/.test(m)) return 'transcode';
  if (m.startsWith('audio/')) return 'none';
  return null;
}

/** Returns the plan once the Tracks element has been seen, or null if more bytes are needed. */
export function planFromHeader(head: Buffer): VideoPlan | null {
  const text = head.toString('latin1');
  if (text.includes('V_MPEG4/ISO/AVC')) return 'copy';
  if (/V_VP8|V_VP9|V_AV1|V_MPEGH\/ISO\/HEVC/.test(text)) return 'transcode';
  // Tracks are complete once a Cluster starts: no video CodecID by then means audio only.
  if (head.includes(CLUSTER_ID)) return text.includes('A_') ? 'none' : 'transcode';
  return null;
}

/** The bytes before the first Cluster: EBML header, Segment info and Tracks (the init segment). */
export function initSegment(head: Buffer): Buffer | null {
  const i = head.indexOf(CLUSTER_ID);
  return i > 0 ? head.subarray(0, i) : null;
}
