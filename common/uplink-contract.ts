// The IPC contract's part for the shared upload and the local recording (issue #12): the network
// strip's numbers and the recording's status in the session view, the presenter's recording
// setting, and the camera's new bitrate as an event. Kept apart from ipc-contract.ts (which
// includes these in its channels and the session view) so that file stays one screenful of channels.
import { z } from 'zod';

/** The uplink controller's state, as the network strip shows it (numbers; sentences: common/uplink-board.ts). */
export const uplinkViewSchema = z.object({
  /** 0 = full quality; higher = further down the ladder. */
  step: z.number().int().nonnegative(),
  /** The video bitrate now, as a fraction of the full one (audio is never touched). */
  fraction: z.number(),
  /** 'upload-short': every server behind together; 'path-slow': one server's own path. */
  verdict: z.enum(['clear', 'upload-short', 'path-slow']),
  /** What the upload carried lately, every server together (bits/s). */
  sentBps: z.number(),
  /** What the current step needs for every active server (bits/s). */
  neededBps: z.number(),
  /** The encoder's full video bitrate (bits/s); null when nothing adapts (audio only, the slate). */
  fullVideoBps: z.number().nullable(),
  /** Servers paused because the upload cannot carry them all, with the reason in words. */
  paused: z.array(z.object({ id: z.string(), label: z.string(), reason: z.string() })),
  /** Servers whose own path is slow (they drop GOPs; the bitrate stays). */
  slow: z.array(z.object({ id: z.string(), label: z.string() })),
});
export type UplinkView = z.infer<typeof uplinkViewSchema>;

/** The local recording: while live, and the last webcast's after Stop (until the next Go Live). */
export const recordingViewSchema = z.object({
  state: z.enum(['recording', 'finished', 'failed']),
  /** Full paths of the parts written, oldest first (usually one). */
  files: z.array(z.string()),
  bytes: z.number(),
  durationMs: z.number(),
  /** Free space on the recording's disk; null before the first check. */
  freeBytes: z.number().nullable(),
  /** Why it ended early (a full disk), in words; null otherwise. */
  warning: z.string().nullable(),
});
export type RecordingView = z.infer<typeof recordingViewSchema>;

/** The presenter's settings beyond servers and profile. */
export const settingsViewSchema = z.object({
  /** Record every webcast locally (on by default). */
  recording: z.boolean(),
  /** Where recordings go; null when this app has no folder for them. */
  recordingsDir: z.string().nullable(),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

/** The camera's encoder should take this video bitrate (the upload's step). */
export const videoBitrateEventSchema = z.object({ bps: z.number().int().positive() });
