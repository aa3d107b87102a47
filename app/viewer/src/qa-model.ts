// The viewer's side of Q&A, without the DOM: the questions the presenter publishes (the public
// `qa` shared object), what this viewer asked and has not seen acknowledged (re-sent, same id,
// after a reconnect or a failover: the engine merges by id, so a re-send is still one question),
// what it voted for, and the note under the form.
import type { NodeToClient, ViewerToNode } from '../../../common/control-protocol.js';
import { MAX_ASKER_NAME_CHARS, MAX_QUESTION_CHARS } from '../../../common/limits.js';
import { QA_OBJECT, type PublicQuestion } from '../../../common/qa.js';

type Ask = Extract<ViewerToNode, { type: 'qa.ask' }>;
type Vote = Extract<ViewerToNode, { type: 'qa.vote' }>;
type Sync = Extract<NodeToClient, { type: 'so.sync' }>;

export const NOTE_SENDING = 'Sending…';
export const NOTE_SENT = 'Thanks, your question was sent.';

/** A question as the page shows it; anything in the slot that is not one is left out. */
function isQuestion(q: unknown): q is PublicQuestion {
  if (typeof q !== 'object' || q === null) return false;
  const { id, text } = q as Record<string, unknown>;
  return typeof id === 'string' && typeof text === 'string';
}

export class QaModel {
  /** Asked but not yet acknowledged, by id. */
  private readonly pending = new Map<string, Ask>();
  private readonly voted = new Set<string>();
  private list: PublicQuestion[] = [];
  note = '';

  constructor(private readonly voterId: string) {}

  get questions(): readonly PublicQuestion[] {
    return this.list;
  }

  get pinned(): PublicQuestion | undefined {
    return this.list.find((q) => q.pinned);
  }

  /** The questions below the pinned one, in the presenter's order. */
  get unpinned(): PublicQuestion[] {
    return this.list.filter((q) => !q.pinned);
  }

  hasVoted(questionId: string): boolean {
    return this.voted.has(questionId);
  }

  /** The message for a question typed into the form (trimmed, cut to the limits), or null when blank. */
  ask(text: string, name: string, id: string): Ask | null {
    const t = text.trim();
    if (!t) return null;
    const q: Ask = { type: 'qa.ask', id, text: t.slice(0, MAX_QUESTION_CHARS) };
    const n = name.trim();
    if (n) q.name = n.slice(0, MAX_ASKER_NAME_CHARS);
    this.pending.set(q.id, q);
    this.note = NOTE_SENDING;
    return q;
  }

  /** The message for an upvote, or null when this viewer voted for that question already. */
  vote(questionId: string): Vote | null {
    if (this.voted.has(questionId)) return null;
    this.voted.add(questionId);
    return { type: 'qa.vote', questionId, voterId: this.voterId };
  }

  /** A (new) control session is up: what to send again. */
  resend(): Ask[] {
    return [...this.pending.values()];
  }

  /** A node message that concerns Q&A; returns whether the list or the note changed. */
  apply(m: NodeToClient): boolean {
    switch (m.type) {
      case 'so.sync':
        return this.applySync(m);
      case 'qa.asked':
        if (!this.pending.delete(m.question.id)) return false;
        this.note = NOTE_SENT;
        return true;
      case 'error':
        // A rate-limited question is still pending: the next session sends it again.
        if (m.ref && this.pending.has(m.ref) && m.code !== 'rate-limited') this.pending.delete(m.ref);
        this.note = m.message;
        return true;
      default:
        return false;
    }
  }

  private applySync(m: Sync): boolean {
    if (m.name !== QA_OBJECT || !m.slots.questions) return false;
    const v = m.slots.questions.value;
    const list: PublicQuestion[] = [];
    if (Array.isArray(v)) for (const q of v) if (isQuestion(q)) list.push(q);
    this.list = list;
    return true;
  }
}
