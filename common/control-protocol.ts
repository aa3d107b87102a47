// The control plane's wire contract: JSON over WebSocket at /control on a node's HTTP port, between
// the engine (role "presenter") and every node, and between each node and its viewers (role
// "viewer"). Schemas and types come from this one file; every message is parsed from `unknown`.
import * as z from 'zod';
import {
  CLIENT_ID_PATTERN,
  ID_PATTERN,
  MAX_ASKER_NAME_CHARS,
  MAX_CUE_KIND_CHARS,
  MAX_ID_CHARS,
  MAX_QUESTION_CHARS,
  MAX_TOKEN_CHARS,
  MIN_CLIENT_ID_CHARS,
} from './limits.js';

export const PROTOCOL_VERSION = 1;
export const CONTROL_PATH = '/control';
export const DEFAULT_CALL_TIMEOUT_MS = 3000;
/** Arguments of one remote call: a method takes a few values, not a list. */
const MAX_CALL_ARGS = 16;

/** Every refusal carries one of these and a sentence. */
export const controlErrorCodes = [
  'bad-message', // not JSON, not an object, or fails the schema
  'too-large', // over MAX_MESSAGE_BYTES (common/limits.ts)
  'unsupported-version',
  'not-authenticated', // anything before a successful hello
  'bad-token', // presenter token wrong, or presenters disabled on this node
  'forbidden', // the role may not do this (a viewer trying a presenter action)
  'rate-limited',
  'unknown-method',
  'call-failed', // the method threw
  'timeout', // engine side: no answer within the call's timeout
  'not-connected', // engine side: no control session to that node
  'full', // a bound was reached (questions, vote ids)
] as const;
export type ControlErrorCode = (typeof controlErrorCodes)[number];

// ---- shared values -------------------------------------------------------------------------

/** JSON values, bounded in depth by the payload limit; validated as "anything JSON.parse gives". */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export const jsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonSchema), z.record(z.string(), jsonSchema)]),
);

/**
 * Names every plain object inherits (`constructor`, `__proto__`, `hasOwnProperty`, `toString`, …).
 * Ids and names used as keys are refused when they are one of these, so no id from a viewer can
 * reach Object.prototype through a lookup anywhere (the engine and nodes also keep such keys in
 * Maps or own-property-only objects; this is the first of the two guards).
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);
export const isReservedKey = (k: string): boolean => RESERVED_KEYS.has(k);

export const soNameSchema = z
  .string()
  .regex(ID_PATTERN, `Shared-object names are 1–${MAX_ID_CHARS} letters, digits, _ . or -`)
  .refine((k) => !RESERVED_KEYS.has(k), { error: (i) => `Shared-object names may not be "${String(i.input)}" (a reserved name)` });
export const slotNameSchema = z
  .string()
  .regex(ID_PATTERN, `Slot names are 1–${MAX_ID_CHARS} letters, digits, _ . or -`)
  .refine((k) => !RESERVED_KEYS.has(k), { error: (i) => `Slot names may not be "${String(i.input)}" (a reserved name)` });
export const questionIdSchema = z
  .string()
  .regex(CLIENT_ID_PATTERN, `Question ids are ${MIN_CLIENT_ID_CHARS}–${MAX_ID_CHARS} letters, digits, _ or -`)
  .refine((k) => !RESERVED_KEYS.has(k), { error: (i) => `Question ids may not be "${String(i.input)}" (a reserved name)` });
export const voterIdSchema = z
  .string()
  .regex(CLIENT_ID_PATTERN, `Voter ids are ${MIN_CLIENT_ID_CHARS}–${MAX_ID_CHARS} letters, digits, _ or -`)
  .refine((k) => !RESERVED_KEYS.has(k), { error: (i) => `Voter ids may not be "${String(i.input)}" (a reserved name)` });
export const requestIdSchema = z.string().min(1).max(MAX_ID_CHARS);

export const slotSchema = z.object({ version: z.number().int().nonnegative(), value: jsonSchema });
export type Slot = z.infer<typeof slotSchema>;

/** A question as a node stores and forwards it. */
export const nodeQuestionSchema = z.object({
  id: questionIdSchema,
  text: z.string().min(1).max(MAX_QUESTION_CHARS),
  name: z.string().max(MAX_ASKER_NAME_CHARS).optional(),
  askedAt: z.number(),
  votes: z.number().int().nonnegative(),
});
export type NodeQuestion = z.infer<typeof nodeQuestionSchema>;

export const cueSchema = z.object({
  id: z.string().min(1).max(MAX_ID_CHARS),
  /** Stream timestamp (ms, the FLV timeline) at which the cue was sent; viewers apply it there. */
  streamTimeMs: z.number().nonnegative(),
  kind: z.string().min(1).max(MAX_CUE_KIND_CHARS),
  data: jsonSchema,
});
export type Cue = z.infer<typeof cueSchema>;

export const nodeStatsSchema = z.object({
  nodeId: z.string(),
  live: z.boolean(),
  /**
   * Ingest bitrate of the configured stream as this node receives it from its publisher (bits/s over
   * about the last second): that stream's bytes only, not other streams' or viewers' traffic.
   */
  ingestBps: z.number().nonnegative(),
  /** Video frames per second of the stream as this node receives it; null when not live or unknown. */
  fps: z.number().nullable(),
  /** How old the last keyframe is (stream time since it, plus time since the last frame arrived). */
  keyframeAgeMs: z.number().nullable(),
  viewers: z.number().int().nonnegative(),
  controlViewers: z.number().int().nonnegative(),
  uptimeMs: z.number().nonnegative(),
});
export type NodeStats = z.infer<typeof nodeStatsSchema>;

// ---- webcast lifecycle (countdown → live → ended) -------------------------------------------

/** The longest countdown a presenter may announce (s): a 3-2-1 before Go Live, not a waiting room. */
export const MAX_COUNTDOWN_SECONDS = 60;
export const webcastIdSchema = z.string().regex(ID_PATTERN, `Webcast ids are 1–${MAX_ID_CHARS} letters, digits, _ . or -`);
/** Why a webcast ended: the presenter stopped it, or the node's publisher stayed away past its grace. */
export const webcastEndReasons = ['stopped', 'publisher-gone'] as const;
export type WebcastEndReason = (typeof webcastEndReasons)[number];

/**
 * What a presenter sets on every node. `live` names the webcast: a node that already has that
 * session keeps it (a resync after a reconnect changes nothing); a new session without `continueQa`
 * archives the node's Q&A and starts it empty.
 */
export const webcastStateSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('countdown'), seconds: z.number().int().min(1, 'A countdown is at least 1 second').max(MAX_COUNTDOWN_SECONDS, `A countdown is at most ${MAX_COUNTDOWN_SECONDS} seconds`) }),
  z.object({ phase: z.literal('live'), session: webcastIdSchema, continueQa: z.boolean().default(false) }),
  z.object({ phase: z.literal('ended'), session: webcastIdSchema.optional() }),
]);
export type WebcastState = z.infer<typeof webcastStateSchema>;

/** The webcast as a node tells its clients: on hello, on every change, and in a presenter's ack. */
export const webcastViewSchema = z.object({
  phase: z.enum(['idle', 'countdown', 'live', 'ended']),
  /** The current (or last) webcast's id, when a presenter named one. */
  session: webcastIdSchema.optional(),
  /** Countdown: how long until the start, as the node counted when it sent this (ms). */
  remainingMs: z.number().int().nonnegative().optional(),
  /** Ended: why. */
  reason: z.enum(webcastEndReasons).optional(),
  /** `closed`: this node has no presenter token, so no question asked here can reach anyone. */
  questions: z.enum(['open', 'closed']),
});
export type WebcastView = z.infer<typeof webcastViewSchema>;

// ---- client → node -------------------------------------------------------------------------

const hello = z.object({
  type: z.literal('hello'),
  v: z.number().int(),
  role: z.enum(['viewer', 'presenter']),
  token: z.string().max(MAX_TOKEN_CHARS, `The presenter token is at most ${MAX_TOKEN_CHARS} characters`).optional(),
  /** A viewer's voter id from an earlier `welcome`: kept when the node signed it, so a reload votes as the same voter. */
  voterId: voterIdSchema.optional(),
});

export const viewerToNodeSchema = z.discriminatedUnion('type', [
  hello,
  z.object({
    type: z.literal('qa.ask'),
    id: questionIdSchema,
    text: z.string().trim().min(1, 'Ask something').max(MAX_QUESTION_CHARS, `Questions are at most ${MAX_QUESTION_CHARS} characters`),
    name: z.string().trim().max(MAX_ASKER_NAME_CHARS, `Names are at most ${MAX_ASKER_NAME_CHARS} characters`).optional(),
  }),
  z.object({ type: z.literal('qa.vote'), questionId: questionIdSchema, voterId: voterIdSchema }),
]);
export type ViewerToNode = z.infer<typeof viewerToNodeSchema>;

export const presenterToNodeSchema = z.discriminatedUnion('type', [
  hello,
  /** Writes slots; value null deletes a slot. `public` objects are sent to viewers. */
  z.object({ type: z.literal('so.set'), name: soNameSchema, public: z.boolean().default(true), slots: z.record(slotNameSchema, jsonSchema) }),
  /** The engine's full state after a (re)connect: applied as writes, so only real changes sync. */
  z.object({
    type: z.literal('so.state'),
    objects: z.record(soNameSchema, z.object({ public: z.boolean(), slots: z.record(slotNameSchema, jsonSchema) })),
  }),
  z.object({ type: z.literal('call'), id: requestIdSchema, method: z.string().min(1).max(MAX_ID_CHARS), args: z.array(jsonSchema).max(MAX_CALL_ARGS).default([]) }),
  z.object({ type: z.literal('cue'), cue: cueSchema }),
  /** Every question this node holds, with its votes (the engine's merge after a reconnect). */
  z.object({ type: z.literal('qa.list'), id: requestIdSchema }),
  /** Sets the webcast's phase on this node; answered by `webcast.ack` with the same id. */
  z.object({ type: z.literal('webcast'), id: requestIdSchema, state: webcastStateSchema }),
]);
export type PresenterToNode = z.infer<typeof presenterToNodeSchema>;

/** The message types a viewer may send; anything else from a viewer is `forbidden`, not `bad-message`. */
export const VIEWER_TYPES = new Set(['hello', 'qa.ask', 'qa.vote']);
export const PRESENTER_TYPES = new Set(['hello', 'so.set', 'so.state', 'call', 'cue', 'qa.list', 'webcast']);

// ---- node → client -------------------------------------------------------------------------

export const nodeToClientSchema = z.discriminatedUnion('type', [
  /** `voterId` (viewers): the id this viewer's `qa.vote`s must carry, issued and signed by the node. */
  z.object({ type: z.literal('welcome'), v: z.number().int(), role: z.enum(['viewer', 'presenter']), nodeId: z.string(), voterId: voterIdSchema.optional() }),
  z.object({
    type: z.literal('so.sync'),
    name: soNameSchema,
    /** The slots that changed in this event (the seed's onSync list). */
    changed: z.array(slotNameSchema),
    /** Current slots of the object after the change (all of them on a first sync). */
    slots: z.record(slotNameSchema, slotSchema),
    /** Whether viewers see the object (presenters get every object; a restarted engine adopts them). */
    public: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('call.result'),
    id: requestIdSchema,
    ok: z.boolean(),
    value: jsonSchema.optional(),
    code: z.enum(controlErrorCodes).optional(),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal('cue'), cue: cueSchema }),
  /**
   * A viewer's question was stored (to that viewer: its own ack; to presenters: the question).
   * `kept` (to the viewer): no presenter is connected to this node right now; the question is kept
   * here and reaches the presenter when one connects.
   */
  z.object({ type: z.literal('qa.asked'), question: nodeQuestionSchema, kept: z.boolean().optional() }),
  z.object({
    type: z.literal('qa.votes'),
    questionId: questionIdSchema,
    votes: z.number().int().nonnegative(),
    /** Presenters only (never sent to a viewer): the voter behind this new vote, so the engine counts a voter once across nodes. */
    voterId: voterIdSchema.optional(),
  }),
  /**
   * Every question this node holds and its votes, in pages of at most MAX_MESSAGE_BYTES (limits.ts): `part`
   * counts from 0 and the page with `last: true` ends the list (a list without `part` is one page).
   * A question's voter ids may be spread over several pages; the engine assembles the pages first.
   */
  z.object({
    type: z.literal('qa.list'),
    id: requestIdSchema,
    questions: z.array(nodeQuestionSchema),
    /** This node's votes for every question voted on here, including questions asked on other nodes. */
    votes: z.record(questionIdSchema, z.number().int().nonnegative()),
    /** Presenters only: the voter ids behind `votes` (a share of them on each page). */
    voters: z.record(questionIdSchema, z.array(voterIdSchema)).optional(),
    part: z.number().int().nonnegative().optional(),
    last: z.boolean().optional(),
  }),
  z.object({ type: z.literal('error'), code: z.enum(controlErrorCodes), message: z.string(), ref: z.string().optional() }),
  /** The webcast's phase on this node: to every client on hello and on each change. */
  z.object({ type: z.literal('webcast'), webcast: webcastViewSchema }),
  /** A presenter's `webcast` was applied; the node's phase now. */
  z.object({ type: z.literal('webcast.ack'), id: requestIdSchema, webcast: webcastViewSchema }),
]);
export type NodeToClient = z.infer<typeof nodeToClientSchema>;

/**
 * The WebSocket URL of a node's control plane. From a node's base URL (http[s]), with or without a
 * path prefix (a node behind a reverse proxy: `https://host/tandem` → `wss://host/tandem/control`),
 * or a base URL that already ends in /control. A ws[s] URL with a path is taken as it is (it names
 * the socket); one without a path gets /control.
 */
export function controlSocketUrl(controlUrl: string): string {
  const u = new URL(controlUrl);
  const path = u.pathname.replace(/\/+$/, '');
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = path.endsWith(CONTROL_PATH) ? path : path + CONTROL_PATH;
  } else if (path === '') {
    u.pathname = CONTROL_PATH;
  }
  return u.toString();
}

/** Parses one raw frame from `unknown`: JSON text → object with a string `type`, or null. */
export function parseFrame(raw: unknown): { type: string; [k: string]: unknown } | null {
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (raw instanceof Uint8Array) text = new TextDecoder().decode(raw);
  else return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const t = (v as { type?: unknown }).type;
  return typeof t === 'string' ? (v as { type: string }) : null;
}
