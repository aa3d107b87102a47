// The engine's Q&A across every node: questions and votes as nodes report them, merged in short
// batches; a node's whole list after a (re)connect; the presenter's moderation; and what every
// node gets back: the public `qa` object (viewers) and the moderation objects (so a restarted
// engine takes the moderation back from any node). The control plane owns the sessions and the
// shared objects, and hands this class what concerns the Q&A.
import { Emitter } from '../../../../common/event.js';
import type { IDisposable } from '../../../../common/lifecycle.js';
import type { Json, NodeQuestion, NodeToClient } from '../../../../common/control-protocol.js';
import { QA_MODERATION_OBJECT, QA_OBJECT, moderationBucketIndex, type QuestionStatus } from '../../../../common/qa.js';
import { QaDraft, mergeNodeList, moderate, type ModerationAction } from './qa-draft.js';
import { exportCsv, exportJson } from './qa-export.js';
import { moderationObjects, parseModerationBucket, parseModerationRecord, restoreModeration, restoreStatuses } from './qa-moderation.js';
import { publicSlots } from './qa-public.js';
import { emptyQa, ordered, type MergedQuestion, type QaState } from './qa-state.js';

/** What the Q&A needs of the control plane: writing shared objects on every node. */
export interface QaObjectWriter {
  /** Writes a public object on every node (the engine's state first); returns the slots that changed. */
  setSo(name: string, slots: Record<string, Json>, isPublic: boolean): string[];
  /**
   * Writes several presenter-only objects on every node in as few messages as fit; returns the
   * names written (one that would be too large is left out, and said so in the log).
   */
  writeObjects(objects: [string, Record<string, Json>][], isPublic: boolean): string[];
}

export type QaList = Pick<Extract<NodeToClient, { type: 'qa.list' }>, 'questions' | 'votes' | 'voters'>;

/** How long live questions and votes gather before the merged state is published (see `live()`). */
const LIVE_BATCH_MS = 50;
/**
 * Bursts of questions and votes become one shared-object write per 250 ms: every write goes to
 * every viewer of every node, so a busy Q&A must not turn into a broadcast storm.
 */
const PUBLISH_EVERY_MS = 250;

export class QaCoordinator implements IDisposable {
  private qa: QaState = emptyQa(false);
  private publishTimer: NodeJS.Timeout | null = null;
  /** Live questions and votes not published into `qa` yet (see `live()`). */
  private liveDraft: QaDraft | null = null;
  private liveTimer: NodeJS.Timeout | null = null;
  /** Statuses taken back from the nodes after an engine restart, for questions still to merge. */
  private readonly restored = new Map<string, QuestionStatus>();
  /** The moderation objects as last written (JSON), so only buckets that changed are written again. */
  private readonly moderationWritten = new Map<string, string>();
  private disposed = false;

  private readonly _onQuestions = new Emitter<MergedQuestion[]>();
  /** The merged question list changed (new question, votes, moderation). */
  readonly onQuestions = this._onQuestions.event;

  constructor(private readonly objects: QaObjectWriter) {}

  /** A node stored a viewer's question. */
  asked(server: string, q: NodeQuestion): void {
    const d = this.live();
    d.mergeQuestion(server, q, d.question(q.id) ? undefined : this.restored.get(q.id));
  }

  /** A node's count for a question changed, with the voter behind a new vote when it sent one. */
  votes(server: string, questionId: string, votes: number, voterId?: string): void {
    this.live().setNodeVotes(server, questionId, votes, voterId ? [voterId] : []);
  }

  /**
   * Merges a node's whole question list (after a (re)connect) in one pass: linear in its size, so
   * the engine's event loop (which also feeds the RTMP relays) is not held up by a big session.
   */
  mergeList(server: string, list: QaList): void {
    this.updateQa(mergeNodeList(this.current(), server, list, (id) => this.restored.get(id)));
  }

  /**
   * An object a node holds that this engine never wrote (the engine restarted): the moderation
   * arrives as the flags object and up to 64 bucket objects, in any order, and is taken back.
   */
  adopt(name: string, values: Record<string, Json>): void {
    if (name === QA_MODERATION_OBJECT) {
      const record = parseModerationRecord(values);
      if (!record) return;
      this.moderationWritten.set(name, JSON.stringify(values));
      for (const id of Object.keys(record.statuses)) this.restored.set(id, record.statuses[id]!);
      this.updateQa(restoreModeration(this.current(), record));
    } else if (moderationBucketIndex(name) !== null) {
      this.moderationWritten.set(name, JSON.stringify(values));
      const statuses = parseModerationBucket(values);
      for (const id of Object.keys(statuses)) this.restored.set(id, statuses[id]!);
      this.updateQa(restoreStatuses(this.current(), statuses));
    }
  }

  get questions(): MergedQuestion[] {
    return ordered(this.current());
  }

  get state(): QaState {
    return this.current();
  }

  moderate(a: ModerationAction): void {
    this.updateQa(moderate(this.current(), a));
  }

  /**
   * A new webcast with a fresh Q&A (ControlPlane.beginWebcast): every question, vote and decision
   * is forgotten, pre-moderation stays as the presenter set it, and the empty view is published to
   * every node like any change.
   */
  reset(): void {
    const preModeration = this.current().preModeration;
    this.restored.clear();
    this.updateQa(emptyQa(preModeration));
  }

  export(format: 'csv' | 'json'): string {
    const qa = this.current();
    return format === 'csv' ? exportCsv(qa) : exportJson(qa);
  }

  /**
   * The draft live questions and votes go into. Copying the state per vote is O(questions) (~2 ms
   * at 10,000, plus the ordered list for onQuestions), so a busy Q&A would keep the event loop
   * busy: every change within LIVE_BATCH_MS lands in one draft (O(1) each), published once.
   */
  private live(): QaDraft {
    if (!this.liveDraft) {
      this.liveDraft = new QaDraft(this.qa);
      this.liveTimer = setTimeout(() => this.flushLive(), LIVE_BATCH_MS);
    }
    return this.liveDraft;
  }

  private flushLive(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.liveTimer = null;
    const d = this.liveDraft;
    this.liveDraft = null;
    if (d) this.updateQa(d.publish());
  }

  /** The state with every live change applied: what any other change must start from. */
  private current(): QaState {
    this.flushLive();
    return this.qa;
  }

  private updateQa(next: QaState): void {
    if (next === this.qa) return;
    this.qa = next;
    this._onQuestions.fire(ordered(next));
    this.publishTimer ??= setTimeout(() => {
      this.publishTimer = null;
      if (this.disposed) return;
      this.objects.setSo(QA_OBJECT, publicSlots(this.qa), true);
      this.mirrorModeration();
    }, PUBLISH_EVERY_MS);
  }

  /** Writes the moderation objects that changed since their last write (presenter-only). */
  private mirrorModeration(): void {
    const changed: [string, Record<string, Json>][] = [];
    const json = new Map<string, string>();
    for (const [name, slots] of Object.entries(moderationObjects(this.qa, this.restored))) {
      const text = JSON.stringify(slots);
      if (this.moderationWritten.get(name) === text) continue;
      json.set(name, text);
      changed.push([name, slots]);
    }
    if (changed.length === 0) return;
    // Many buckets change at once after a burst of decisions: a few packed messages, not one each.
    for (const name of this.objects.writeObjects(changed, false)) this.moderationWritten.set(name, json.get(name)!);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.publishTimer) clearTimeout(this.publishTimer);
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this._onQuestions.dispose();
  }
}
