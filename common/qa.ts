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
 * Maps, never plain objects: ids come from viewers (`constructor`, `__proto__` must stay data).
 */
export interface VoterTally {
  /** Voter id → bit mask of the nodes (index in `QaState.voterNodes`) it voted through. */
  readonly ids: ReadonlyMap<string, number>;
  /** Per node, how many of `ids` it reported. */
  readonly known: ReadonlyMap<string, number>;
}

export const MAX_VOTERS_PER_QUESTION = 5_000;
export const MAX_VOTER_IDS = 200_000;
/** Node bits in a voter mask; ids from further nodes (a cluster this big is not expected) are not kept. */
const MAX_VOTER_NODES = 30;

/**
 * The merged Q&A. Immutable: every change gives a new state (a `QaDraft` applies many changes,
 * e.g. a node's whole `qa.list`, with one copy). `questions` and every `votesByNode` have no
 * prototype, so an id is only ever an own key (use `Object.hasOwn` / `own()` to look one up in
 * records that may come from elsewhere).
 */
export interface QaState {
  preModeration: boolean;
  questions: Record<string, MergedQuestion>;
  pinnedId: string | null;
  /**
   * Votes a node reported for a question not merged yet (after an engine restart a node's votes
   * for a question asked elsewhere can arrive before the question); applied when it arrives.
   */
  orphanVotes?: ReadonlyMap<string, Readonly<Record<string, number>>>;
  /** Voter ids per question id (also for questions not merged yet); presenter-side only. */
  voters?: ReadonlyMap<string, VoterTally>;
  /** Node ids in the order they got their bit in a voter mask. */
  voterNodes?: readonly string[];
  /** Voter ids kept over all questions. */
  voterIdCount?: number;
}

const MAX_ORPHANS = 10_000;

/** A record without a prototype: any string is an own key and nothing else is. */
export function dict<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  const d = Object.create(null) as Record<string, T>;
  if (from) for (const k of Object.keys(from)) d[k] = from[k]!;
  return d;
}

/** Own-property lookup: never answers from Object.prototype. */
const own = <T>(o: Readonly<Record<string, T>> | undefined, k: string): T | undefined => (o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined);

export const emptyQa = (preModeration = false): QaState => ({ preModeration, questions: dict(), pinnedId: null });

/** Distinct voters: every known id once, plus each node's votes whose ids the engine did not keep. */
function totalVotes(votesByNode: Readonly<Record<string, number>>, tally: VoterTally | undefined): number {
  let total = tally?.ids.size ?? 0;
  for (const node of Object.keys(votesByNode)) total += Math.max(0, votesByNode[node]! - (tally?.known.get(node) ?? 0));
  return total;
}

interface MutableTally {
  ids: Map<string, number>;
  known: Map<string, number>;
}

/**
 * Many changes to a state at the cost of one: the first write copies the question record (and the
 * voter index) once, later writes mutate the copy, and `publish()` hands out the new state. What
 * the base state holds is never mutated (questions and tallies are copied on their first write in
 * this draft). A node's `qa.list` of 10,000 questions and 200,000 voter ids merges in linear time.
 */
export class QaDraft {
  private questions: Record<string, MergedQuestion> | null = null;
  private voters: Map<string, VoterTally> | null = null;
  private orphans: Map<string, Readonly<Record<string, number>>> | null = null;
  private voterNodes: string[] | null = null;
  private voterIdCount: number;
  private preModeration: boolean;
  private pinnedId: string | null;
  /** Objects created by this draft, so mutating them is safe. */
  private readonly fresh = new Set<object>();
  private changed = false;

  constructor(private readonly base: QaState) {
    this.voterIdCount = base.voterIdCount ?? 0;
    this.preModeration = base.preModeration;
    this.pinnedId = base.pinnedId;
  }

  question(id: string): MergedQuestion | undefined {
    return own(this.questions ?? this.base.questions, id);
  }

  private tally(id: string): VoterTally | undefined {
    return (this.voters ?? this.base.voters)?.get(id);
  }

  /** A question this draft may mutate (copied from the base on its first write). */
  private writable(q: MergedQuestion): MergedQuestion {
    if (this.fresh.has(q)) return q;
    const copy: MergedQuestion = { ...q, nodes: [...q.nodes], votesByNode: dict(q.votesByNode) };
    this.put(copy);
    return copy;
  }

  private put(q: MergedQuestion): void {
    this.questions ??= dict(this.base.questions);
    this.questions[q.id] = q;
    this.fresh.add(q);
    this.changed = true;
  }

  private writableTally(id: string): MutableTally {
    const prev = this.tally(id);
    if (prev && this.fresh.has(prev)) return prev as MutableTally;
    const t: MutableTally = { ids: new Map(prev?.ids), known: new Map(prev?.known) };
    this.voters ??= new Map(this.base.voters);
    this.voters.set(id, t);
    this.fresh.add(t);
    this.changed = true;
    return t;
  }

  /** Records voter ids a node reported for a question. */
  addVoters(nodeId: string, questionId: string, voterIds: readonly string[]): void {
    if (voterIds.length === 0) return;
    const nodes = this.voterNodes ?? this.base.voterNodes ?? [];
    let bitIndex = nodes.indexOf(nodeId);
    if (bitIndex < 0) {
      if (nodes.length >= MAX_VOTER_NODES) return;
      bitIndex = nodes.length;
      this.voterNodes = [...nodes, nodeId];
      this.changed = true;
    }
    const bit = 1 << bitIndex;
    const prev = this.tally(questionId);
    let t: MutableTally | null = null;
    let added = 0;
    for (const v of voterIds) {
      const mask = (t ?? prev)?.ids.get(v);
      if (mask !== undefined && (mask & bit) !== 0) continue;
      if (mask === undefined && ((t ?? prev)?.ids.size ?? 0) >= MAX_VOTERS_PER_QUESTION) continue;
      if (mask === undefined && this.voterIdCount >= MAX_VOTER_IDS) continue;
      t ??= this.writableTally(questionId);
      t.ids.set(v, (mask ?? 0) | bit);
      added++;
      if (mask === undefined) this.voterIdCount++;
    }
    if (!t) return;
    t.known.set(nodeId, (t.known.get(nodeId) ?? 0) + added);
    const q = this.question(questionId);
    if (q) {
      const votes = totalVotes(q.votesByNode, t);
      if (votes !== q.votes) this.writable(q).votes = votes;
    }
  }

  /** Adds (or re-sees) a question reported by a node; `statusIfNew` overrides the default status of a new one. */
  mergeQuestion(nodeId: string, q: NodeQuestion, statusIfNew?: QuestionStatus): void {
    const prev = this.question(q.id);
    const tally = this.tally(q.id);
    if (prev) {
      const had = own(prev.votesByNode, nodeId);
      const nodeVotes = Math.max(had ?? 0, q.votes);
      if (prev.nodes.includes(nodeId) && nodeVotes === had) return;
      const m = this.writable(prev);
      if (!m.nodes.includes(nodeId)) m.nodes.push(nodeId);
      m.votesByNode[nodeId] = nodeVotes;
      m.votes = totalVotes(m.votesByNode, tally);
      m.askedAt = Math.min(m.askedAt, q.askedAt);
      return;
    }
    const orphans = (this.orphans ?? this.base.orphanVotes)?.get(q.id);
    const votesByNode = dict(orphans);
    votesByNode[nodeId] = Math.max(q.votes, own(orphans, nodeId) ?? 0);
    this.put({
      id: q.id,
      text: q.text,
      ...(q.name ? { name: q.name } : {}),
      askedAt: q.askedAt,
      nodes: [nodeId],
      votesByNode,
      votes: totalVotes(votesByNode, tally),
      status: statusIfNew ?? (this.preModeration ? 'pending' : 'approved'),
    });
    if (orphans) {
      this.orphans ??= new Map(this.base.orphanVotes);
      this.orphans.delete(q.id);
    }
  }

  /**
   * A node's current vote count for a question (its count replaces the node's earlier one), with
   * the voter ids behind it when the node sent them (a single new vote, or all of them in a `qa.list`).
   */
  setNodeVotes(nodeId: string, questionId: string, votes: number, voterIds: readonly string[] = []): void {
    this.addVoters(nodeId, questionId, voterIds);
    const prev = this.question(questionId);
    if (!prev) {
      const all = this.orphans ?? this.base.orphanVotes;
      const known = all?.get(questionId);
      if (own(known, nodeId) === votes) return;
      if (!known && (all?.size ?? 0) >= MAX_ORPHANS) return;
      this.orphans ??= new Map(this.base.orphanVotes);
      const next = dict(known);
      next[nodeId] = votes;
      this.orphans.set(questionId, next);
      this.changed = true;
      return;
    }
    if (own(prev.votesByNode, nodeId) === votes) return;
    const m = this.writable(prev);
    m.votesByNode[nodeId] = votes;
    m.votes = totalVotes(m.votesByNode, this.tally(questionId));
  }

  /** Sets a known question's status (no-op for an unknown id or the same status). */
  setStatus(id: string, status: QuestionStatus): void {
    const q = this.question(id);
    if (!q || q.status === status) return;
    this.writable(q).status = status;
  }

  setFlags(f: { preModeration?: boolean; pinnedId?: string | null }): void {
    if (f.preModeration !== undefined && f.preModeration !== this.preModeration) {
      this.preModeration = f.preModeration;
      this.changed = true;
    }
    if (f.pinnedId !== undefined && f.pinnedId !== this.pinnedId) {
      this.pinnedId = f.pinnedId;
      this.changed = true;
    }
  }

  /** The new state (the base itself when nothing changed). The draft must not be used after this. */
  publish(): QaState {
    if (!this.changed) return this.base;
    const b = this.base;
    const orphanVotes = this.orphans ?? b.orphanVotes;
    const voters = this.voters ?? b.voters;
    const voterNodes = this.voterNodes ?? b.voterNodes;
    return {
      preModeration: this.preModeration,
      questions: this.questions ?? b.questions,
      pinnedId: this.pinnedId,
      ...(orphanVotes ? { orphanVotes } : {}),
      ...(voters ? { voters } : {}),
      ...(voterNodes ? { voterNodes } : {}),
      ...(voters || b.voterIdCount !== undefined ? { voterIdCount: this.voterIdCount } : {}),
    };
  }
}

/** Records voter ids a node reported for a question. Returns the same state when nothing is new. */
export function addVoters(s: QaState, nodeId: string, questionId: string, voterIds: readonly string[]): QaState {
  const d = new QaDraft(s);
  d.addVoters(nodeId, questionId, voterIds);
  return d.publish();
}

/** Adds (or re-sees) a question reported by a node. Returns the same state object when nothing changed. */
export function mergeQuestion(s: QaState, nodeId: string, q: NodeQuestion): QaState {
  const d = new QaDraft(s);
  d.mergeQuestion(nodeId, q);
  return d.publish();
}

/**
 * A node's current vote count for a question (its count replaces the node's earlier one), with the
 * voter ids behind it when the node sent them (a single new vote, or all of them in a `qa.list`).
 */
export function setNodeVotes(s: QaState, nodeId: string, questionId: string, votes: number, voterIds: readonly string[] = []): QaState {
  const d = new QaDraft(s);
  d.setNodeVotes(nodeId, questionId, votes, voterIds);
  return d.publish();
}

/**
 * A node's whole `qa.list` (questions, its counts and the voter ids behind them) in one draft:
 * linear in the list's size. `statusOf` gives a status for a question new to the state (statuses
 * taken back after an engine restart).
 */
export function mergeNodeList(
  s: QaState,
  nodeId: string,
  list: { questions: readonly NodeQuestion[]; votes: Readonly<Record<string, number>>; voters?: Readonly<Record<string, readonly string[]>> | undefined },
  statusOf: (id: string) => QuestionStatus | undefined = () => undefined,
): QaState {
  const d = new QaDraft(s);
  for (const q of list.questions) d.mergeQuestion(nodeId, q, d.question(q.id) ? undefined : statusOf(q.id));
  for (const qid of Object.keys(list.votes)) d.setNodeVotes(nodeId, qid, list.votes[qid]!, own(list.voters, qid) ?? []);
  return d.publish();
}

export type ModerationAction =
  | { action: 'approve' | 'dismiss' | 'answer'; questionId: string }
  | { action: 'pin'; questionId: string | null }
  | { action: 'pre-moderation'; on: boolean };

export function moderate(s: QaState, a: ModerationAction): QaState {
  const d = new QaDraft(s);
  switch (a.action) {
    case 'pre-moderation':
      d.setFlags({ preModeration: a.on });
      break;
    case 'pin':
      if (a.questionId !== null && !d.question(a.questionId)) return s;
      d.setFlags({ pinnedId: a.questionId });
      break;
    default: {
      const q = d.question(a.questionId);
      if (!q) return s;
      d.setStatus(q.id, a.action === 'approve' ? 'approved' : a.action === 'dismiss' ? 'dismissed' : 'answered');
      if (a.action === 'dismiss' && s.pinnedId === q.id) d.setFlags({ pinnedId: null });
    }
  }
  return d.publish();
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

/** The bucket number of a `qa.moderation.<n>` object name, or null for any other name. */
export function moderationBucketIndex(name: string): number | null {
  const m = /^qa\.moderation\.(\d{1,3})$/.exec(name);
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n < MODERATION_BUCKETS ? n : null;
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
