// The one IPC contract between the presenter UI and the engine host. Electron's preload and
// ipc-main wrapper, and studio mode's WebSocket, all carry exactly these channels:
//   invoke  renderer → host, with a result  (`{ ok: true, value }` or `{ ok: false, code, message }`)
//   send    renderer → host, no result      (capture chunks)
//   events  host → renderer
// Args are parsed with these schemas where they arrive (in the host); results and events are
// parsed by the renderer's transport. Types come from the same schemas.
import { z } from 'zod';
import { jsonSchema, questionIdSchema, slotNameSchema, soNameSchema } from './control-protocol.js';
import {
  CUE_KIND_PATTERN,
  MAX_CHUNK_BYTES,
  MAX_CUE_DATA_BYTES,
  MAX_CUE_KIND_CHARS,
  MAX_ID_CHARS,
  MAX_LABEL_CHARS,
  MAX_MIME_TYPE_CHARS,
  MAX_PROFILE_CHARS,
  MAX_SO_TEXT_CHARS,
  MAX_STREAM_KEY_CHARS,
} from './limits.js';
import { brandSchema, httpUrlSchema, presenterTokenSchema } from './profile.js';
import { questionStatuses } from './qa.js';
import { controlStates, failureReasons, serverConfigSchema, serverStates, setupResults } from './streaming.js';
import type { ServerSnapshot, SetupStatus } from './streaming.js';
import { recordingViewSchema, settingsViewSchema, uplinkViewSchema, videoBitrateEventSchema } from './uplink-contract.js';

export { recordingViewSchema, settingsViewSchema, uplinkViewSchema, videoBitrateEventSchema } from './uplink-contract.js';
export type { RecordingView, SettingsView, UplinkView } from './uplink-contract.js';

/** Why a call failed: a closed set the UI can act on, always with a sentence in `message`. */
export const ipcErrorCodes = [
  'invalid-args', // the payload does not match the contract (issues say where)
  'unknown-channel',
  'forbidden', // the sender may not call this (wrong frame, not the capture owner)
  'invalid-state', // e.g. going live while live, stopping while idle
  'no-server-ready', // setup left nowhere to go live
  'ffmpeg-missing', // the engine found no ffmpeg (the message says how to install one)
  'not-found',
  'invalid-profile', // an imported cluster profile is not valid
  'storage', // settings or secrets could not be read or written
  'internal',
] as const;
export type IpcErrorCode = (typeof ipcErrorCodes)[number];

const issueSchema = z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() });
export type IpcIssue = z.infer<typeof issueSchema>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; code: IpcErrorCode; message: string; issues?: IpcIssue[] };

// ---- Shared shapes ---------------------------------------------------------------------------

/** A server's control session (Tandem nodes); state 'none' for plain RTMP servers. */
export const controlStatusSchema = z.object({ state: z.enum(controlStates), message: z.string() });

const setupStatusSchema: z.ZodType<SetupStatus> = z.object({
  code: z.enum(['NetConnection.Setup.Success', 'NetConnection.Setup.Failed']),
  servers: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      result: z.enum(setupResults),
      message: z.string(),
      elapsedMs: z.number(),
      control: controlStatusSchema.optional(),
    }),
  ),
});

const serverSnapshotSchema: z.ZodType<ServerSnapshot> = z.object({
  id: z.string(),
  label: z.string(),
  state: z.enum(serverStates),
  reason: z.enum(failureReasons).nullable(),
  message: z.string(),
  since: z.number(),
  nextAttemptAt: z.number().nullable(),
  metrics: z.object({
    bytesSent: z.number(),
    bitrateBps: z.number(),
    uptimeMs: z.number(),
    reconnects: z.number(),
    droppedGops: z.number(),
    lastError: z.string().nullable(),
    ackedBytes: z.number().optional(),
    sendBps: z.number().optional(),
    queuedBytes: z.number().optional(),
    queueAgeMs: z.number().optional(),
    lagMs: z.number().nullable().optional(),
    rttMs: z.number().nullable().optional(),
    refusals: z.number().optional(),
    waitingForPresenter: z.boolean().optional(),
  }),
  control: controlStatusSchema.optional(),
});

/** A tile's data: the engine's snapshot plus what the server itself reports (when it can). */
export const serverTileSchema = z.object({
  snapshot: serverSnapshotSchema,
  /**
   * Where the server's own numbers come from: 'node' (getStats over the node's control session: the
   * live stream's own ingest bitrate, fps, keyframe age, viewers), 'metrics' (a Tandem node with a
   * control URL but no control session: node-wide bytes received and viewers from /metrics), or null
   * (plain RTMP servers, or a node not answering): not reported.
   */
  reportedBy: z.enum(['node', 'metrics']).nullable(),
  /** Whether the node says the stream is live on it (getStats); null if unknown. */
  nodeLive: z.boolean().nullable(),
  /** Bits per second the server says it receives; null if unknown. */
  receivedBps: z.number().nullable(),
  /** Video frames per second the node receives (0 when frames stopped); null if unknown. */
  fps: z.number().nullable(),
  /** How old the last keyframe the node received is, in ms; null if unknown. */
  keyframeAgeMs: z.number().nullable(),
  /** Viewers the server reports; null if unknown. */
  viewers: z.number().nullable(),
});
export type ServerTile = z.infer<typeof serverTileSchema>;

/** A configured server as the renderer sees it: secrets are never included, only whether they are set. */
export const serverViewSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** rtmp[s]://host[:port]/app — the part of the publish URL that is not secret. */
  url: z.string(),
  /** Masked, e.g. "••••", when a stream key or signed path is stored; null when none. */
  maskedKey: z.string().nullable(),
  controlUrl: z.string().nullable(),
  hasToken: z.boolean(),
});
export type ServerView = z.infer<typeof serverViewSchema>;

export const sessionStates = ['idle', 'setting-up', 'live', 'stopping'] as const;
export type SessionState = (typeof sessionStates)[number];

export const sessionViewSchema = z.object({
  state: z.enum(sessionStates),
  /** The last setup's per-server results (kept after stopping, so the UI can show them). */
  setup: setupStatusSchema.nullable(),
  /** Epoch ms when the session went live. */
  startedAt: z.number().nullable(),
  /** What is on air: the presenter's capture, the test pattern, or the slate while capture is away. */
  onAir: z.enum(['capture', 'test-pattern', 'slate']).nullable(),
  /** Epoch ms when the countdown before going live ends, while one runs (the setup already passed). */
  countdownEndsAt: z.number().nullable(),
  /** Whether the receiving window is the one whose capture is on air. */
  captureOwner: z.boolean(),
  encoder: z.object({ state: z.string(), message: z.string() }).nullable(),
  tiles: z.array(serverTileSchema),
  /** The network strip while live (null before the controller's first reading). */
  uplink: uplinkViewSchema.nullable().default(null),
  /** The local recording: the running one, or the last webcast's after Stop. */
  recording: recordingViewSchema.nullable().default(null),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

export const profileViewSchema = z.object({
  /** The imported profile's name; null when servers were entered by hand. */
  name: z.string().nullable(),
  brand: brandSchema,
  viewerUrls: z.array(z.string()),
});
export type ProfileView = z.infer<typeof profileViewSchema>;

/** The Q&A panel's data: the engine's merged, moderated list. `available` is false without a control session. */
export const qaStateSchema = z.object({
  available: z.boolean(),
  message: z.string(),
  /** New questions wait for approval before viewers see them. */
  preModeration: z.boolean(),
  /** What viewers are shown now: the `banner`/`title` and `slide`/`title` shared-object slots ('' when unset). */
  banner: z.string(),
  slideTitle: z.string(),
  questions: z.array(
    z.object({
      id: z.string(),
      text: z.string(),
      author: z.string().nullable(),
      votes: z.number(),
      askedAt: z.number(),
      status: z.enum(questionStatuses),
      pinned: z.boolean(),
      /** Server ids the question was seen on (questions are merged across servers). */
      servers: z.array(z.string()),
    }),
  ),
  /** The webcast before this one started a fresh Q&A: its questions can still be exported. */
  previousExportable: z.boolean().default(false),
});
export type QaState = z.infer<typeof qaStateSchema>;

// ---- The preflight upload check (Test servers) ----------------------------------------------------

/**
 * What the preflight found: the verdict in words (built by main/engine/uplink/preflight-verdict.ts,
 * shown as is) and one line per server. `kind` lets the UI pick a tone; the words are the engine's.
 */
export const uploadCheckSchema = z.object({
  kind: z.enum(['enough', 'reduce', 'pause', 'short', 'unknown']),
  verdict: z.string(),
  servers: z.array(z.object({ id: z.string(), bps: z.number().nonnegative().nullable(), sentence: z.string() })),
});
export type UploadCheck = z.infer<typeof uploadCheckSchema>;

// ---- Invoke channels ---------------------------------------------------------------------------

const none = z.object({}).strict();

/** What the setup form sends. Empty secret fields on edit mean "keep what is stored". */
export const serverInputSchema = z
  .object({
    /** The id being edited; absent when adding. */
    originalId: z.string().max(MAX_ID_CHARS).optional(),
    id: serverConfigSchema.shape.id,
    label: z.string().trim().max(MAX_LABEL_CHARS, `Names are at most ${MAX_LABEL_CHARS} characters`).optional(),
    url: serverConfigSchema.shape.url,
    streamKey: z.string().trim().max(MAX_STREAM_KEY_CHARS, `The stream key is at most ${MAX_STREAM_KEY_CHARS} characters`).optional(),
    controlUrl: z.union([httpUrlSchema, z.literal('')]).optional(),
    /** The node's presenter token; empty on edit keeps the stored one. */
    token: z.union([z.literal(''), presenterTokenSchema]).optional(),
  })
  .strict();
export type ServerInput = z.infer<typeof serverInputSchema>;

export const liveSourceSchema = z.discriminatedUnion('kind', [
  /** The presenter's camera/microphone, recorded by MediaRecorder and sent as `capture.chunk`. */
  z.object({ kind: z.literal('capture'), mimeType: z.string().min(1).max(MAX_MIME_TYPE_CHARS) }).strict(),
  /** The engine's own test pattern: for machines without a camera. */
  z.object({ kind: z.literal('test-pattern') }).strict(),
]);
export type LiveSource = z.infer<typeof liveSourceSchema>;

/** How long the countdown before going live runs (3-2-1). */
export const COUNTDOWN_MS = 3000;

export const goLiveResultSchema = z.object({
  setup: setupStatusSchema,
  /** False when setup left nowhere to go live (or requireAll and one failed). */
  live: z.boolean(),
  /** A sentence for the presenter: all ready, some down (and live anyway), or why not live. */
  message: z.string(),
});
export type GoLiveResult = z.infer<typeof goLiveResultSchema>;

export const appInfoSchema = z.object({
  mode: z.enum(['electron', 'studio']),
  version: z.string(),
  /** True when the app started its own local demo cluster. */
  demo: z.boolean(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

/** What a moderator can do to one question. `unpin` clears the pin (whichever question holds it). */
export const qaActions = ['approve', 'dismiss', 'answered', 'pin', 'unpin'] as const;
export type QaAction = (typeof qaActions)[number];

export const qaExportSchema = z.object({
  format: z.enum(['csv', 'json']),
  /** A suggested file name, e.g. questions-2026-11-24T22-15.csv. */
  filename: z.string(),
  mimeType: z.string(),
  text: z.string(),
});
export type QaExport = z.infer<typeof qaExportSchema>;

/** Shared-object values the presenter sets from the UI: short text, numbers, switches; null deletes. */
export const soValueSchema = z.union([z.string().max(MAX_SO_TEXT_CHARS, `Text is at most ${MAX_SO_TEXT_CHARS} characters`), z.number().finite(), z.boolean(), z.null()]);

/** Cue payloads are JSON, kept small (they go to every viewer of every node). */
const cuePayloadSchema = jsonSchema.refine((v) => JSON.stringify(v).length <= MAX_CUE_DATA_BYTES, `A cue payload is at most ${MAX_CUE_DATA_BYTES / 1024} KiB of JSON`);

export const invokeContract = {
  'app.info': { args: none, result: appInfoSchema },
  'servers.list': { args: none, result: z.array(serverViewSchema) },
  'servers.save': { args: serverInputSchema, result: z.array(serverViewSchema) },
  'servers.remove': { args: z.object({ id: z.string().min(1).max(MAX_ID_CHARS) }).strict(), result: z.array(serverViewSchema) },
  /** The text of a cluster profile file: replaces the servers, brand and viewer URLs. */
  'profile.import': { args: z.object({ text: z.string().max(MAX_PROFILE_CHARS, `A profile is at most ${MAX_PROFILE_CHARS / 1024 / 1024} MB`) }).strict(), result: profileViewSchema },
  'profile.get': { args: none, result: profileViewSchema },
  'session.get': { args: none, result: sessionViewSchema },
  /** Runs the 3 s setup against every server, then goes live unless nowhere is ready. */
  'live.start': {
    args: z
      .object({
        source: liveSourceSchema,
        requireAll: z.boolean().default(false),
        /** A 3-2-1 countdown between the setup check and the first frame, shown to viewers too. */
        countdown: z.boolean().default(false),
        /** Keep the last webcast's questions; by default every node starts a fresh Q&A (the old one archived). */
        continueQa: z.boolean().default(false),
      })
      .strict(),
    result: goLiveResultSchema,
  },
  /** The setup check on every server without going live ("Test servers"): reachability, not the key. */
  'servers.test': { args: none, result: z.object({ setup: setupStatusSchema, message: z.string(), upload: uploadCheckSchema.nullable() }) },
  /** While live: publish again now to a server the engine stopped retrying (a refused key). */
  'servers.retry': { args: z.object({ id: z.string().min(1).max(MAX_ID_CHARS) }).strict(), result: sessionViewSchema },
  'live.stop': { args: none, result: sessionViewSchema },
  /** While live: put this window's (new) capture on air, e.g. after a re-attach or the audio-only switch. */
  'capture.attach': { args: z.object({ mimeType: z.string().min(1).max(MAX_MIME_TYPE_CHARS) }).strict(), result: sessionViewSchema },
  'qa.get': { args: none, result: qaStateSchema },
  'qa.moderate': { args: z.object({ id: questionIdSchema, action: z.enum(qaActions) }).strict(), result: qaStateSchema },
  'qa.setPremoderation': { args: z.object({ on: z.boolean() }).strict(), result: qaStateSchema },
  /** The whole merged list (every status), as a file for the presenter to save. */
  'qa.export': { args: z.object({ format: z.enum(['csv', 'json']), webcast: z.enum(['current', 'previous']).default('current') }).strict(), result: qaExportSchema },
  /** Writes one slot of a shared object on every Tandem node (e.g. banner/title); viewers see public objects. */
  'so.set': {
    args: z.object({ object: soNameSchema, slot: slotNameSchema, value: soValueSchema }).strict(),
    result: z.object({ object: z.string(), slot: z.string(), changed: z.boolean() }),
  },
  /** In-stream data stamped with the stream time, to every node and its viewers (e.g. slide {title}). */
  'settings.get': { args: none, result: settingsViewSchema },
  /** Turns the local recording on or off for the next Go Live (a running one continues). */
  'settings.setRecording': { args: z.object({ on: z.boolean() }).strict(), result: settingsViewSchema },
  'cue.send': {
    args: z.object({ name: z.string().regex(CUE_KIND_PATTERN, `Cue names use letters, digits, _ . and - (at most ${MAX_CUE_KIND_CHARS})`), payload: cuePayloadSchema }).strict(),
    result: z.object({ id: z.string(), streamTimeMs: z.number() }),
  },
} as const;

export type InvokeChannel = keyof typeof invokeContract;
export type InvokeArgs<C extends InvokeChannel> = z.input<(typeof invokeContract)[C]['args']>;
export type InvokeValue<C extends InvokeChannel> = z.output<(typeof invokeContract)[C]['result']>;
export const invokeChannels = Object.keys(invokeContract) as InvokeChannel[];

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && Object.hasOwn(invokeContract, c);
}

// ---- Send channel -------------------------------------------------------------------------------

/** One MediaRecorder chunk (Matroska/WebM bytes). Over Electron IPC a Uint8Array; over WS a binary frame. */
export const CAPTURE_CHUNK = 'capture.chunk';
export const captureChunkSchema = z
  .instanceof(Uint8Array)
  .refine((b) => b.byteLength > 0 && b.byteLength <= MAX_CHUNK_BYTES, `A chunk is 1 byte to ${MAX_CHUNK_BYTES / 1024 / 1024} MiB`);

// ---- Events -------------------------------------------------------------------------------------

export const eventContract = {
  session: sessionViewSchema,
  servers: z.array(serverViewSchema),
  profile: profileViewSchema,
  qa: qaStateSchema,
  videoBitrate: videoBitrateEventSchema,
} as const;
export type EventChannel = keyof typeof eventContract;
export type EventPayload<E extends EventChannel> = z.output<(typeof eventContract)[E]>;
export const eventChannels = Object.keys(eventContract) as EventChannel[];

export function isEventChannel(c: unknown): c is EventChannel {
  return typeof c === 'string' && Object.hasOwn(eventContract, c);
}

/** What the preload exposes as `window.tandem`, and what studio mode's WebSocket client implements. */
export interface TandemApi {
  invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<IpcResult<InvokeValue<C>>>;
  sendChunk(chunk: Uint8Array): void;
  /** Returns an unsubscribe function. */
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

// ---- Electron's IPC channel names (the preload and main/ipc-main.ts are the only users) ----------

export const ELECTRON_INVOKE = 'tandem:invoke';
export const ELECTRON_CHUNK = 'tandem:chunk';
export const ELECTRON_EVENT = 'tandem:event';

// ---- Studio mode's WebSocket framing -------------------------------------------------------------

export const wsClientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('invoke'), id: z.number().int().nonnegative(), channel: z.string().max(MAX_ID_CHARS), args: z.unknown() }).strict(),
]);
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;

export const ipcResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), code: z.enum(ipcErrorCodes), message: z.string(), issues: z.array(issueSchema).optional() }),
]);

export const wsServerMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('result'), id: z.number(), result: ipcResultSchema }),
  z.object({ t: z.literal('event'), channel: z.string(), payload: z.unknown() }),
]);
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>;

export function failure(code: IpcErrorCode, message: string, issues?: IpcIssue[]): IpcResult<never> {
  return issues ? { ok: false, code, message, issues } : { ok: false, code, message };
}
