// The engine's merged Q&A across nodes: questions de-duplicated by the id the viewer's page made
// (a retry or a failover re-send is still one question), each voter counted once per question
// across nodes, and the moderation. The state is immutable; qa-draft.ts makes the changes.
import type { QuestionStatus } from '../../../../common/qa.js';

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

/** A record without a prototype: any string is an own key and nothing else is. */
export function dict<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  const d = Object.create(null) as Record<string, T>;
  if (from) for (const k of Object.keys(from)) d[k] = from[k]!;
  return d;
}

/** Own-property lookup: never answers from Object.prototype. */
export const own = <T>(o: Readonly<Record<string, T>> | undefined, k: string): T | undefined => (o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined);

export const emptyQa = (preModeration = false): QaState => ({ preModeration, questions: dict(), pinnedId: null });

/** Questions in asking order, for the presenter's list and the exports. */
export function ordered(s: QaState): MergedQuestion[] {
  return Object.values(s.questions).sort((a, b) => a.askedAt - b.askedAt || a.id.localeCompare(b.id));
}
