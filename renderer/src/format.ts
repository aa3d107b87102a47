// Numbers in words a presenter reads at a glance. The units live in common/ (the network strip's
// sentences there use them too); they are re-exported here for the views.
export { formatBitrate, formatBytes, formatDuration } from '../../common/uplink-board.js';
import { formatBitrate } from '../../common/uplink-board.js';

/** Engine live this long before a node's silence counts as a problem (its first stats lag going live). */
export const RECEIVE_GRACE_MS = 6000;
/** A keyframe older than this means viewers joining now wait that long for a picture. */
export const KEYFRAME_WARN_MS = 5000;

interface ReceiveView {
  reportedBy: 'node' | 'metrics' | null;
  nodeLive: boolean | null;
  receivedBps: number | null;
  fps: number | null;
  keyframeAgeMs: number | null;
}

/** What the server says it receives, e.g. "2.4 Mb/s · 30 fps · keyframe 0.8 s ago". */
export function receiveWords(t: ReceiveView): string {
  if (t.reportedBy === null || t.receivedBps === null) return 'not reported';
  if (t.reportedBy === 'metrics') return `${formatBitrate(t.receivedBps)} (whole server)`;
  const parts = [formatBitrate(t.receivedBps)];
  if (t.fps !== null) parts.push(`${Math.round(t.fps)} fps`);
  if (t.keyframeAgeMs !== null) parts.push(`keyframe ${(t.keyframeAgeMs / 1000).toFixed(1)} s ago`);
  return parts.join(' · ');
}

/**
 * A sentence when the node's own view contradicts the engine's "live": it receives nothing, no
 * frames, or no keyframe for a while. Null when all is well or the server does not report.
 */
export function receiveWarning(t: ReceiveView, engineLive: boolean, liveForMs: number): string | null {
  if (!engineLive || liveForMs < RECEIVE_GRACE_MS || t.reportedBy !== 'node') return null;
  if (t.nodeLive === false || t.receivedBps === 0) return 'The server receives nothing of your stream, although we are sending it.';
  if (t.fps === 0) return 'The server receives no video frames: viewers see a frozen picture.';
  if (t.keyframeAgeMs !== null && t.keyframeAgeMs > KEYFRAME_WARN_MS)
    return `No keyframe for ${Math.round(t.keyframeAgeMs / 1000)} s: viewers who join now wait for a picture.`;
  return null;
}
