// Q&A on a node: viewers ask (one question every 10 s) and vote (ten a minute) on the node they
// watch; each question and vote is stored in the Q&A log (qa-log.ts, kept across restarts),
// acknowledged to the viewer and forwarded to presenters, who merge them over all nodes. A
// presenter's `qa.list` gets every question and vote this node holds, in pages.
import type { ViewerToNode } from '../../../common/control-protocol.js';
import { MAX_MESSAGE_BYTES } from '../../../common/limits.js';
import { QA_OBJECT } from '../../../common/qa.js';
import type { SharedObject } from '../../../common/shared-object.js';
import type { Logger } from '../../logger.js';
import type { ControlHub, ControlPeer } from '../connection.js';
import { QaLog } from '../qa-log.js';
import { TokenBucket } from '../rate-limit.js';

export interface QaLimits {
  /** Questions: bucket size and refill per second (default one per 10 s). */
  askBurst: number;
  askPerSec: number;
  voteBurst: number;
  votePerSec: number;
}

/** A `qa.list` page's JSON budget, below one message (room for the page's own fields). */
const LIST_PAGE_BYTES = MAX_MESSAGE_BYTES - 4096;

type Ask = Extract<ViewerToNode, { type: 'qa.ask' }>;
type Vote = Extract<ViewerToNode, { type: 'qa.vote' }>;

export class QaFeature {
  private readonly log: QaLog;
  /** Per connection: its question and vote budgets. */
  private readonly buckets = new WeakMap<ControlPeer, { ask: TokenBucket; vote: TokenBucket }>();

  /** `file`: the Q&A log (questions.jsonl); null keeps it in memory only. */
  constructor(
    file: string | null,
    logger: Logger,
    private readonly limits: QaLimits,
    private readonly hub: ControlHub,
    /** The shared objects, for questions asked on other nodes (they reach this one only in the `qa` object). */
    private readonly objects: { get(name: string): SharedObject | undefined },
    /** Every connection of one address shares these budgets, on top of its own. */
    private readonly perAddress: { ask(address: string): boolean; vote(address: string): boolean },
    /** Votes carry an id the node issued (voter-ids.ts), not one the viewer made up. */
    private readonly voterIds: { valid(id: string): boolean },
  ) {
    this.log = new QaLog(file, logger);
  }

  ask(peer: ControlPeer, m: Ask): void {
    // An idempotent retry (same id) costs no rate and stores nothing new.
    if (this.log.has(m.id)) {
      const r = this.log.ask(m.id, m.text, m.name);
      if (r.kind !== 'full') peer.send({ type: 'qa.asked', question: r.question, ...(this.hub.hasPresenters ? {} : { kept: true }) });
      return;
    }
    if (!this.budget(peer).ask.take()) return peer.error('rate-limited', 'One question every 10 seconds, please', m.id);
    if (!this.perAddress.ask(peer.address)) return peer.error('rate-limited', 'Too many questions from your network this minute; try again shortly', m.id);
    const r = this.log.ask(m.id, m.text, m.name || undefined);
    if (r.kind === 'full') return peer.error('full', 'This session takes no more questions', m.id);
    // No presenter here right now: the viewer is told its question waits on this node (the next
    // presenter's qa.list takes it), not that it was sent.
    peer.send({ type: 'qa.asked', question: r.question, ...(this.hub.hasPresenters ? {} : { kept: true }) });
    this.hub.toPresenters({ type: 'qa.asked', question: r.question });
  }

  vote(peer: ControlPeer, m: Vote): void {
    if (!this.log.has(m.questionId) && !this.isPublicQuestion(m.questionId)) return peer.error('bad-message', 'No such question', m.questionId);
    if (!this.voterIds.valid(m.voterId)) return peer.error('forbidden', 'This voter id was not issued by the node: vote with the one in the welcome', m.questionId);
    if (!this.budget(peer).vote.take()) return peer.error('rate-limited', 'Ten votes a minute, please', m.questionId);
    if (!this.perAddress.vote(peer.address)) return peer.error('rate-limited', 'Too many votes from your network this minute; try again shortly', m.questionId);
    const r = this.log.vote(m.questionId, m.voterId);
    if (r.kind === 'full') return peer.error('full', 'This session takes no more votes', m.questionId);
    peer.send({ type: 'qa.votes', questionId: m.questionId, votes: r.votes });
    // Voter ids go to presenters only: the engine counts a voter once across nodes with them.
    if (r.kind === 'new') this.hub.toPresenters({ type: 'qa.votes', questionId: m.questionId, votes: r.votes, voterId: m.voterId });
  }

  /**
   * A presenter's `qa.list`, in pages that each fit one message. A big list (thousands of questions
   * and voter ids) is more than a client may have buffered, so the pages go out as the socket
   * drains, in order.
   */
  list(peer: ControlPeer, id: string): void {
    peer.sendQueued(this.log.listPages(id, LIST_PAGE_BYTES).map((page) => JSON.stringify(page)));
  }

  /** A new webcast without `continueQa`: see QaLog.archive. */
  archive(label: string): string | null {
    return this.log.archive(label);
  }

  close(): void {
    this.log.close();
  }

  private budget(peer: ControlPeer): { ask: TokenBucket; vote: TokenBucket } {
    let b = this.buckets.get(peer);
    if (!b) {
      const l = this.limits;
      b = { ask: new TokenBucket(l.askBurst, l.askPerSec), vote: new TokenBucket(l.voteBurst, l.votePerSec) };
      this.buckets.set(peer, b);
    }
    return b;
  }

  /** Questions asked on other nodes reach this one only through the published `qa` object. */
  private isPublicQuestion(id: string): boolean {
    const list = this.objects.get(QA_OBJECT)?.slots.questions?.value;
    return Array.isArray(list) && list.some((q) => typeof q === 'object' && q !== null && !Array.isArray(q) && q.id === id);
  }
}
