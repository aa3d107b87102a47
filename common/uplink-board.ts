// The network strip's and the recording's sentences (issue #12), built from the numbers the host
// sends (common/ipc-contract.ts: UplinkView, RecordingView), and the units they are written in. The
// live view, the server tiles and the Stop panel all read them from here, so a step, a pause or a
// saved recording is said the same way everywhere.
import type { RecordingView, UplinkView } from './uplink-contract.js';

// ---- Units a presenter reads at a glance ------------------------------------------------------

export function formatBitrate(bps: number | null): string {
  if (bps === null) return 'not reported';
  if (bps >= 100_000_000) return `${Math.round(bps / 1_000_000)} Mb/s`;
  if (bps >= 1_000_000) return `${(bps / 1_000_000).toFixed(1)} Mb/s`;
  if (bps >= 1000) return `${Math.round(bps / 1000)} kb/s`;
  return `${Math.round(bps)} b/s`;
}

/** "42:10", "1:02:03". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

/** "1.2 GB", "340 MB", "12 kB" (decimal units, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${Math.max(0, Math.round(bytes))} bytes`;
}

const mbits = (bps: number): string => (bps / 1_000_000).toFixed(1);

// ---- The network strip ------------------------------------------------------------------------

/** The step in words: "Full quality" or "Reduced for your connection: 1.5 Mb/s of 2.5". */
export function uplinkStepWords(u: UplinkView): string {
  if (u.step === 0 || u.fullVideoBps === null) return 'Full quality';
  return `Reduced for your connection: ${mbits(u.fullVideoBps * u.fraction)} Mb/s of ${mbits(u.fullVideoBps)}`;
}

/**
 * What reaches the servers (what they acknowledged: the upload's real throughput, which the tiles'
 * "Sending" into the kernel can exceed) against what the current step needs for every active
 * server: "Upload: 2.5 Mb/s getting through, 3.3 Mb/s needed".
 */
export function uplinkUsageWords(u: UplinkView): string {
  const needed = u.neededBps > 0 ? `, ${formatBitrate(u.neededBps)} needed` : '';
  return `Upload: ${formatBitrate(u.sentBps)} getting through${needed}`;
}

/** Why the controller did what it did, when it did something: one line per paused or slow server. */
export function uplinkNotes(u: UplinkView): string[] {
  const notes = u.paused.map((p) => `${p.label} ${p.reason.replace(/^paused/i, 'paused')}`);
  for (const s of u.slow) notes.push(`${s.label}: its own path is slow (the other servers are fine, so the quality stays)`);
  return notes;
}

/** A tile's backlog: "queue 0.4 s" (what waits to reach that server, in media time). */
export function queueWords(queueAgeMs: number | undefined): string {
  return `queue ${((queueAgeMs ?? 0) / 1000).toFixed(1)} s`;
}

// ---- The local recording ----------------------------------------------------------------------

/** The file's name without its folder (either separator: the host may be Windows). */
export function fileName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

/** While live: "Recording: webcast.mkv — 340 MB, 12:04 · 48 GB free". */
export function recordingLine(r: RecordingView): string {
  const file = r.files.at(-1);
  const free = r.freeBytes !== null ? ` · ${formatBytes(r.freeBytes)} free` : '';
  // The recorder's warning is a whole sentence ("Recording stopped: the disk is full. The webcast goes on.").
  if (r.state === 'failed') return r.warning ?? 'Recording stopped. The webcast goes on.';
  if (!file) return 'Recording: starting…';
  return `Recording: ${fileName(file)} — ${formatBytes(r.bytes)}, ${formatDuration(r.durationMs)}${free}`;
}

/** At Stop: "Recording saved: webcast.mkv — 1.2 GB, 42:10" (the folder is shown apart). */
export function recordingSavedWords(r: RecordingView): string {
  const file = r.files.at(-1);
  if (!file) return r.warning ? `Nothing was recorded. ${r.warning}` : 'Nothing was recorded.';
  const parts = r.files.length > 1 ? ` (${r.files.length} parts)` : '';
  const saved = `Recording saved: ${fileName(file)}${parts} — ${formatBytes(r.bytes)}, ${formatDuration(r.durationMs)}`;
  // A recording a full disk ended early is saved up to that point: say both.
  return r.warning ? `${saved}. ${r.warning}` : saved;
}
