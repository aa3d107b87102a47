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

/** Presenter-only shared object holding the moderation, so a restarted engine can take it back. */
export const QA_MODERATION_OBJECT = 'qa.moderation';

export interface ModerationRecord {
  preModeration: boolean;
  pinnedId: string | null;
  /** Every question's status (questions that arrive later follow `preModeration`). */
  statuses: Record<string, QuestionStatus>;
}

export function moderationRecord(s: QaState): ModerationRecord {
  const statuses: Record<string, QuestionStatus> = {};
  for (const q of Object.values(s.questions)) statuses[q.id] = q.status;
  return { preModeration: s.preModeration, pinnedId: s.pinnedId, statuses };
}

/** Reads a moderation record from shared-object values (parsed from unknown); null if unusable. */
export function parseModerationRecord(values: Record<string, Json>): ModerationRecord | null {
  const st = values.statuses;
  if (typeof values.preModeration !== 'boolean' || typeof st !== 'object' || st === null || Array.isArray(st)) return null;
  const statuses: Record<string, QuestionStatus> = {};
  for (const [id, v] of Object.entries(st)) if (typeof v === 'string' && (questionStatuses as readonly string[]).includes(v)) statuses[id] = v as QuestionStatus;
  return { preModeration: values.preModeration, pinnedId: typeof values.pinnedId === 'string' && values.pinnedId ? values.pinnedId : null, statuses };
}

/** Applies a moderation record to the questions known now (later ones: `applyRestoredStatus`). */
export function restoreModeration(s: QaState, r: ModerationRecord): QaState {
  const questions = { ...s.questions };
  for (const [id, status] of Object.entries(r.statuses)) if (questions[id]) questions[id] = { ...questions[id]!, status };
  return { ...s, preModeration: r.preModeration, pinnedId: r.pinnedId, questions };
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
