// Q&A across nodes, pure: the engine merges questions from every node (de-duplicated by the id the
// viewer's page made, so a retry or a failover re-send is still one question), counts each voter
// once per question across nodes (nodes forward voter ids to presenters), applies moderation and
// derives the view published to viewers as the `qa` shared object.
import type { Json, NodeQuestion } from './control-protocol.js';

export const QA_OBJECT = 'qa';
export const questionStatuses = ['pending', 'approved', 'dismissed', 'answered'] as const;
export type QuestionStatus = (typeof questionStatuses)[number];

export interface MergedQuestion {
  id: string;
  text: string;
  name?: string;
  askedAt: number;
  /** The nodes it arrived through (several after a failover re-send). */
  nodes: string[];
  /**
   * Votes as each node counted them (distinct voters on that node). A voter who voted on two nodes
   * is in both, so these may add up to more than `votes`.
   */
  votesByNode: Record<string, number>;
  /** Distinct voters across all nodes (see `VoterTally` for the bound). */
  votes: number;
  status: QuestionStatus;
}

/**
 * The voter ids the engine knows for one question, so a voter who voted on node A, failed over and
 * voted again on node B counts once. Bounded: past MAX_VOTERS_PER_QUESTION ids for a question, or
 * MAX_VOTER_IDS in all, new ids are not kept, and the votes behind them count through their node's
 * own count (so only a voter past the bound who votes on two nodes counts twice, as all did before).
 */
export interface VoterTally {
  /** Voter id → bit mask of the nodes (index in `QaState.voterNodes`) it voted through. */
  ids: Record<string, number>;
  size: number;
  /** Per node, how many of `ids` it reported. */
  known: Record<string, number>;
}

export const MAX_VOTERS_PER_QUESTION = 5_000;
export const MAX_VOTER_IDS = 200_000;
/** Node bits in a voter mask; ids from further nodes (a cluster this big is not expected) are not kept. */
const MAX_VOTER_NODES = 30;

export interface QaState {
  preModeration: boolean;
  questions: Record<string, MergedQuestion>;
  pinnedId: string | null;
  /**
   * Votes a node reported for a question not merged yet (after an engine restart a node's votes
   * for a question asked elsewhere can arrive before the question); applied when it arrives.
   */
  orphanVotes?: Record<string, Record<string, number>>;
  /** Voter ids per question id (also for questions not merged yet); presenter-side only. */
  voters?: Record<string, VoterTally>;
  /** Node ids in the order they got their bit in a voter mask. */
  voterNodes?: string[];
  /** Voter ids kept over all questions. */
  voterIdCount?: number;
}

const MAX_ORPHANS = 10_000;

export const emptyQa = (preModeration = false): QaState => ({ preModeration, questions: {}, pinnedId: null });

/** Distinct voters: every known id once, plus each node's votes whose ids the engine did not keep. */
function totalVotes(votesByNode: Record<string, number>, tally: VoterTally | undefined): number {
  let total = tally?.size ?? 0;
  for (const [node, n] of Object.entries(votesByNode)) total += Math.max(0, n - (tally?.known[node] ?? 0));
  return total;
}

/** Records voter ids a node reported for a question. Returns the same state when nothing is new. */
export function addVoters(s: QaState, nodeId: string, questionId: string, voterIds: readonly string[]): QaState {
  if (voterIds.length === 0) return s;
  let nodes = s.voterNodes ?? [];
  let bitIndex = nodes.indexOf(nodeId);
  if (bitIndex < 0) {
    if (nodes.length >= MAX_VOTER_NODES) return s;
    bitIndex = nodes.length;
    nodes = [...nodes, nodeId];
  }
  const bit = 1 << bitIndex;
  const prev = s.voters?.[questionId];
  let ids: Record<string, number> | null = null;
  let size = prev?.size ?? 0;
  let known = prev?.known[nodeId] ?? 0;
  let count = s.voterIdCount ?? 0;
  for (const v of voterIds) {
    const mask = (ids ?? prev?.ids)?.[v];
    if (mask !== undefined && (mask & bit) !== 0) continue;
    if (mask === undefined && (size >= MAX_VOTERS_PER_QUESTION || count >= MAX_VOTER_IDS)) continue;
    ids ??= { ...prev?.ids };
    ids[v] = (mask ?? 0) | bit;
    known++;
    if (mask === undefined) {
      size++;
      count++;
    }
  }
  if (!ids) return s;
  const tally: VoterTally = { ids, size, known: { ...prev?.known, [nodeId]: known } };
  const next: QaState = { ...s, voters: { ...s.voters, [questionId]: tally }, voterNodes: nodes, voterIdCount: count };
  const q = s.questions[questionId];
  if (!q) return next;
  return { ...next, questions: { ...s.questions, [questionId]: { ...q, votes: totalVotes(q.votesByNode, tally) } } };
}

/** Adds (or re-sees) a question reported by a node. Returns the same state object when nothing changed. */
export function mergeQuestion(s: QaState, nodeId: string, q: NodeQuestion): QaState {
  const prev = s.questions[q.id];
  const tally = s.voters?.[q.id];
  if (prev) {
    const nodes = prev.nodes.includes(nodeId) ? prev.nodes : [...prev.nodes, nodeId];
    const votesByNode = { ...prev.votesByNode, [nodeId]: Math.max(prev.votesByNode[nodeId] ?? 0, q.votes) };
    if (nodes === prev.nodes && votesByNode[nodeId] === prev.votesByNode[nodeId]) return s;
    const next = { ...prev, nodes, votesByNode, votes: totalVotes(votesByNode, tally), askedAt: Math.min(prev.askedAt, q.askedAt) };
    return { ...s, questions: { ...s.questions, [q.id]: next } };
  }
  const orphans = s.orphanVotes?.[q.id];
  const votesByNode = { ...orphans, [nodeId]: Math.max(q.votes, orphans?.[nodeId] ?? 0) };
  const merged: MergedQuestion = {
    id: q.id,
    text: q.text,
    ...(q.name ? { name: q.name } : {}),
    askedAt: q.askedAt,
    nodes: [nodeId],
    votesByNode,
    votes: totalVotes(votesByNode, tally),
    status: s.preModeration ? 'pending' : 'approved',
  };
  let orphanVotes = s.orphanVotes;
  if (orphans && orphanVotes) {
    orphanVotes = { ...orphanVotes };
    delete orphanVotes[q.id];
  }
  return { ...s, ...(orphanVotes ? { orphanVotes } : {}), questions: { ...s.questions, [q.id]: merged } };
}

/**
 * A node's current vote count for a question (its count replaces the node's earlier one), with the
 * voter ids behind it when the node sent them (a single new vote, or all of them in a `qa.list`).
 */
export function setNodeVotes(s: QaState, nodeId: string, questionId: string, votes: number, voterIds: readonly string[] = []): QaState {
  s = addVoters(s, nodeId, questionId, voterIds);
  const prev = s.questions[questionId];
  if (!prev) {
    const known = s.orphanVotes?.[questionId];
    if (known?.[nodeId] === votes) return s;
    if (!known && Object.keys(s.orphanVotes ?? {}).length >= MAX_ORPHANS) return s;
    return { ...s, orphanVotes: { ...s.orphanVotes, [questionId]: { ...known, [nodeId]: votes } } };
  }
  if (prev.votesByNode[nodeId] === votes) return s;
  const votesByNode = { ...prev.votesByNode, [nodeId]: votes };
  return { ...s, questions: { ...s.questions, [questionId]: { ...prev, votesByNode, votes: totalVotes(votesByNode, s.voters?.[questionId]) } } };
}

export type ModerationAction =
  | { action: 'approve' | 'dismiss' | 'answer'; questionId: string }
  | { action: 'pin'; questionId: string | null }
  | { action: 'pre-moderation'; on: boolean };

export function moderate(s: QaState, a: ModerationAction): QaState {
  switch (a.action) {
    case 'pre-moderation':
      return { ...s, preModeration: a.on };
    case 'pin':
      if (a.questionId !== null && !s.questions[a.questionId]) return s;
      return { ...s, pinnedId: a.questionId };
    default: {
      const q = s.questions[a.questionId];
      if (!q) return s;
      const status: QuestionStatus = a.action === 'approve' ? 'approved' : a.action === 'dismiss' ? 'dismissed' : 'answered';
      const pinnedId = a.action === 'dismiss' && s.pinnedId === q.id ? null : s.pinnedId;
      return { ...s, pinnedId, questions: { ...s.questions, [q.id]: { ...q, status } } };
    }
  }
}

export interface PublicQuestion {
  id: string;
  text: string;
  name?: string;
  votes: number;
  answered: boolean;
  pinned: boolean;
}

/**
 * The moderated view viewers see: approved and answered questions, pinned first, answered last,
 * then by votes, and among equal votes the newest first (so new questions get seen at all).
 */
export function publicView(s: QaState, limit = 100): PublicQuestion[] {
  return Object.values(s.questions)
    .filter((q) => q.status === 'approved' || q.status === 'answered')
    .sort((a, b) => b.askedAt - a.askedAt || a.id.localeCompare(b.id))
    .map((q): PublicQuestion => ({
      id: q.id,
      text: q.text,
      ...(q.name ? { name: q.name } : {}),
      votes: q.votes,
      answered: q.status === 'answered',
      pinned: q.id === s.pinnedId,
    }))
    // Array.prototype.sort is stable: equal keys keep the newest-first order from above.
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || Number(a.answered) - Number(b.answered) || b.votes - a.votes)
    .slice(0, limit);
}

/** Slots of the `qa` shared object for a state. */
/**
 * Slots of the `qa` shared object for a state. The list is cut (lowest-ranked questions first) to
 * stay within `maxBytes` of JSON, so the write always fits in one control message.
 */
export function publicSlots(s: QaState, maxBytes = 48 * 1024): Record<string, Json> {
  const view = publicView(s);
  const enc = new TextEncoder();
  let bytes = 2;
  let keep = 0;
  for (const q of view) {
    const n = enc.encode(JSON.stringify(q)).length + 1;
    if (bytes + n > maxBytes) break;
    bytes += n;
    keep++;
  }
  const shown = view.slice(0, keep);
  return { questions: shown as unknown as Json, pinned: s.pinnedId && shown.some((q) => q.id === s.pinnedId) ? s.pinnedId : '' };
}

/**
 * Presenter-only shared objects holding the moderation, so a restarted engine can take it back:
 * `qa.moderation` holds the flags (pre-moderation, pin), and every question's status lives in one
 * of MODERATION_BUCKETS objects `qa.moderation.<n>` chosen by a hash of its id, one slot per status
 * (a sorted list of ids). Each object stays far below one control message, only buckets that
 * changed are written again, and empty buckets are never created.
 */
export const QA_MODERATION_OBJECT = 'qa.moderation';
export const MODERATION_BUCKETS = 64;
/**
 * JSON bytes one bucket may take. 64 buckets of 56 KiB hold about 50,000 questions with the longest
 * ids (64 characters), far more than the nodes keep (10,000 each); a bucket that would still be
 * larger keeps dismissed and answered questions first, then pending, then approved.
 */
export const MODERATION_BUCKET_BYTES = 56 * 1024;

export const moderationBucketName = (n: number): string => `${QA_MODERATION_OBJECT}.${n}`;

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
export function moderationObjects(s: QaState, carried: Record<string, QuestionStatus> = {}): Record<string, Record<string, Json>> {
  const buckets: Record<QuestionStatus, string[]>[] = [];
  const put = (id: string, status: QuestionStatus): void => {
    (buckets[moderationBucketOf(id)] ??= { pending: [], approved: [], dismissed: [], answered: [] })[status].push(id);
  };
  for (const q of Object.values(s.questions)) put(q.id, q.status);
  for (const [id, status] of Object.entries(carried)) if (!s.questions[id]) put(id, status);
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
  const statuses: Record<string, QuestionStatus> = {};
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
  const statuses: Record<string, QuestionStatus> = {};
  for (const [id, v] of Object.entries(st)) if (isStatus(v)) statuses[id] = v;
  return { preModeration: values.preModeration, pinnedId: typeof values.pinnedId === 'string' && values.pinnedId ? values.pinnedId : null, statuses };
}

/** Reads one bucket object (`qa.moderation.<n>`) from shared-object values: question id → status. */
export function parseModerationBucket(values: Record<string, Json>): Record<string, QuestionStatus> {
  const statuses: Record<string, QuestionStatus> = {};
  for (const [status, ids] of Object.entries(values)) {
    if (!isStatus(status) || !Array.isArray(ids)) continue;
    for (const id of ids) if (typeof id === 'string') statuses[id] = status;
  }
  return statuses;
}

/** The bucket number of a `qa.moderation.<n>` object name, or null for any other name. */
export function moderationBucketIndex(name: string): number | null {
  const m = /^qa\.moderation\.(\d{1,3})$/.exec(name);
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n < MODERATION_BUCKETS ? n : null;
}

/** Applies restored statuses to the questions known now (later ones get theirs as they merge). */
export function restoreStatuses(s: QaState, statuses: Record<string, QuestionStatus>): QaState {
  let questions: Record<string, MergedQuestion> | null = null;
  for (const [id, status] of Object.entries(statuses)) {
    const q = s.questions[id];
    if (!q || q.status === status) continue;
    questions ??= { ...s.questions };
    questions[id] = { ...q, status };
  }
  return questions ? { ...s, questions } : s;
}

/** Applies a moderation record (flags and statuses) to the questions known now. */
export function restoreModeration(s: QaState, r: ModerationRecord): QaState {
  return { ...restoreStatuses(s, r.statuses), preModeration: r.preModeration, pinnedId: r.pinnedId };
}

/** Questions in asking order, for the presenter's list and the exports. */
export function ordered(s: QaState): MergedQuestion[] {
  return Object.values(s.questions).sort((a, b) => a.askedAt - b.askedAt || a.id.localeCompare(b.id));
}

function csvCell(v: string | number): string {
  const t = String(v);
  // A leading = + - @ would run as a formula in a spreadsheet: prefix a quote.
  const safe = /^[=+\-@\t\r]/.test(t) ? `'${t}` : t;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function exportCsv(s: QaState): string {
  const rows = [['id', 'asked_at', 'name', 'text', 'votes', 'status', 'pinned', 'nodes']];
  for (const q of ordered(s)) {
    rows.push([q.id, new Date(q.askedAt).toISOString(), q.name ?? '', q.text, String(q.votes), q.status, q.id === s.pinnedId ? 'yes' : 'no', q.nodes.join(' ')]);
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function exportJson(s: QaState): string {
  return JSON.stringify({ preModeration: s.preModeration, pinnedId: s.pinnedId, questions: ordered(s) }, null, 2);
}
