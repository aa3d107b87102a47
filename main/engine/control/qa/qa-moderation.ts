// The moderation as presenter-only shared objects on every node, so a restarted engine can take it
// back: `qa.moderation` holds the flags (pre-moderation, pin), and every question's status lives
// in one of MODERATION_BUCKETS objects `qa.moderation.<n>` chosen by a hash of its id, one slot per
// status (a sorted list of ids). Each object stays far below one control message
// (MODERATION_BUCKET_BYTES), only buckets that changed are written again (control-plane.ts), and
// empty buckets are never created. The names are the contract in common/qa.ts.
import type { Json } from '../../../../common/control-protocol.js';
import { MODERATION_BUCKET_BYTES } from '../../../../common/limits.js';
import { MODERATION_BUCKETS, QA_MODERATION_OBJECT, moderationBucketName, questionStatuses, type QuestionStatus } from '../../../../common/qa.js';
import { QaDraft } from './qa-draft.js';
import { dict, type QaState } from './qa-state.js';

export interface ModerationRecord {
  preModeration: boolean;
  pinnedId: string | null;
  /** Every question's status (questions that arrive later follow `preModeration`). */
  statuses: Record<string, QuestionStatus>;
}

/** FNV-1a: a stable spread of question ids over the buckets (the same on every engine). */
export function moderationBucketOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % MODERATION_BUCKETS;
}

const BUCKET_ORDER: readonly QuestionStatus[] = ['dismissed', 'answered', 'pending', 'approved'];

/**
 * The moderation as shared objects: object name → slots. The flags object always; a bucket only
 * when it holds a question (a status with no question is written as null, deleting the slot). The
 * flags object deletes the single `statuses` slot older engines wrote. `carried`: statuses taken
 * back after an engine restart for questions not merged again yet, kept so a second restart in
 * that window loses nothing.
 */
export function moderationObjects(
  s: QaState,
  carried: ReadonlyMap<string, QuestionStatus> | Readonly<Record<string, QuestionStatus>> = new Map(),
): Record<string, Record<string, Json>> {
  const buckets: Record<QuestionStatus, string[]>[] = [];
  const put = (id: string, status: QuestionStatus): void => {
    (buckets[moderationBucketOf(id)] ??= { pending: [], approved: [], dismissed: [], answered: [] })[status].push(id);
  };
  for (const q of Object.values(s.questions)) put(q.id, q.status);
  const carriedEntries = carried instanceof Map ? carried.entries() : Object.entries(carried as Readonly<Record<string, QuestionStatus>>);
  for (const [id, status] of carriedEntries) if (!Object.hasOwn(s.questions, id)) put(id, status);
  const out: Record<string, Record<string, Json>> = {
    [QA_MODERATION_OBJECT]: { preModeration: s.preModeration, pinnedId: s.pinnedId, buckets: MODERATION_BUCKETS, statuses: null },
  };
  buckets.forEach((b, n) => {
    let bytes = 2;
    const slots: Record<string, Json> = {};
    for (const status of BUCKET_ORDER) {
      const ids = b[status].sort();
      const kept: string[] = [];
      bytes += status.length + 6;
      for (const id of ids) {
        if (bytes + id.length + 3 > MODERATION_BUCKET_BYTES) break;
        bytes += id.length + 3;
        kept.push(id);
      }
      slots[status] = kept.length > 0 ? kept : null;
    }
    out[moderationBucketName(n)] = slots;
  });
  return out;
}

/** The whole record in one value (tests, exports); the nodes get `moderationObjects`. */
export function moderationRecord(s: QaState): ModerationRecord {
  const statuses = dict<QuestionStatus>();
  for (const q of Object.values(s.questions)) statuses[q.id] = q.status;
  return { preModeration: s.preModeration, pinnedId: s.pinnedId, statuses };
}

const isStatus = (v: unknown): v is QuestionStatus => typeof v === 'string' && (questionStatuses as readonly string[]).includes(v);

/**
 * Reads the flags object from shared-object values (parsed from unknown); null if unusable. Its
 * statuses are those of an older engine's single-object record (empty in the bucketed form).
 */
export function parseModerationRecord(values: Record<string, Json>): ModerationRecord | null {
  const st = values.statuses ?? {};
  if (typeof values.preModeration !== 'boolean' || typeof st !== 'object' || st === null || Array.isArray(st)) return null;
  const statuses = dict<QuestionStatus>();
  for (const [id, v] of Object.entries(st)) if (isStatus(v)) statuses[id] = v;
  return { preModeration: values.preModeration, pinnedId: typeof values.pinnedId === 'string' && values.pinnedId ? values.pinnedId : null, statuses };
}

/** Reads one bucket object (`qa.moderation.<n>`) from shared-object values: question id → status. */
export function parseModerationBucket(values: Record<string, Json>): Record<string, QuestionStatus> {
  const statuses = dict<QuestionStatus>();
  for (const [status, ids] of Object.entries(values)) {
    if (!isStatus(status) || !Array.isArray(ids)) continue;
    for (const id of ids) if (typeof id === 'string') statuses[id] = status;
  }
  return statuses;
}

/** Applies restored statuses to the questions known now (later ones get theirs as they merge). */
export function restoreStatuses(s: QaState, statuses: Readonly<Record<string, QuestionStatus>>): QaState {
  const d = new QaDraft(s);
  for (const id of Object.keys(statuses)) d.setStatus(id, statuses[id]!);
  return d.publish();
}

/** Applies a moderation record (flags and statuses) to the questions known now. */
export function restoreModeration(s: QaState, r: ModerationRecord): QaState {
  const d = new QaDraft(restoreStatuses(s, r.statuses));
  d.setFlags({ preModeration: r.preModeration, pinnedId: r.pinnedId });
  return d.publish();
}
