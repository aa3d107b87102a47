// Changes to the merged Q&A (qa-state.ts): a node's question, its vote counts and the voter ids
// behind them, a node's whole `qa.list`, and the presenter's moderation. A QaDraft applies many
// changes at the cost of one copy; the functions below are one-change drafts.
import type { NodeQuestion } from '../../../../common/control-protocol.js';
import { MAX_QUESTIONS_PER_NODE, MAX_VOTES_PER_NODE } from '../../../../common/limits.js';
import type { QuestionStatus } from '../../../../common/qa.js';
import { dict, own, type MergedQuestion, type QaState, type VoterTally } from './qa-state.js';

/** Voter ids kept for one question: far more than vote on one question in a session; past it a voter on two nodes may count twice. */
export const MAX_VOTERS_PER_QUESTION = 5_000;
/** Voter ids the engine keeps over all questions: as many as one node keeps votes. */
export const MAX_VOTER_IDS = MAX_VOTES_PER_NODE;
/** Node bits in a voter mask; ids from further nodes (a cluster this big is not expected) are not kept. */
const MAX_VOTER_NODES = 30;

/** Questions whose votes arrived before the question: at most as many as one node keeps. */
const MAX_ORPHANS = MAX_QUESTIONS_PER_NODE;

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
