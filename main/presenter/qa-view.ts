// The Q&A panel: the engine's merged questions from every Tandem node while live, the last
// session's after Stop (so they can still be exported), moderation and pre-moderation, and the
// banner and slide title viewers see. Every window gets the panel's view as a `qa` event. The
// engine's merge is the Q&A's one batching stage (QA_BATCH_MS, qa-coordinator.ts): its event goes
// to the windows in the same turn, with no timer of its own (changes of one turn make one push).
import type { QaAction, QaExport, QaState } from '../../common/ipc-contract.js';
import { DisposableStore, type IDisposable, toDisposable } from '../../common/lifecycle.js';
import { exportCsv, exportJson } from '../engine/control/qa/qa-export.js';
import { ordered, type QaState as EngineQa } from '../engine/control/qa/qa-state.js';
import { HostError } from './host-error.js';
import type { LiveSession } from './live-session.js';
import { DOING, QA_ENDED, QA_NOTHING_TO_EXPORT, QA_NO_CONTROL, QA_NOT_LIVE, qaFromNodes } from './presenter-text.js';
import type { StageObjects } from './stage-objects.js';
import type { WindowRegistry } from './window-registry.js';

/** How long a merged change waits here before it is pushed: none (the engine already batched it). */
export const QA_PUSH_MS = 0;

export interface QaViewOptions {
  now?: () => number;
}

export class QaView implements IDisposable {
  /** Pre-moderation as the presenter set it: applied to every new session's control plane. */
  private preModeration = false;
  /** The last session's Q&A, kept after Stop so it can still be exported. */
  private lastQa: EngineQa | null = null;
  /** A push is due at the end of this turn (several changes in one turn make one push). */
  private pushDue = false;
  private readonly store = new DisposableStore();
  private readonly now: () => number;

  constructor(
    private readonly session: Pick<LiveSession, 'state' | 'current' | 'requireControl' | 'onSetup' | 'onLive' | 'onEnd'>,
    private readonly stage: Pick<StageObjects, 'title' | 'onChange'>,
    private readonly windows: Pick<WindowRegistry, 'broadcast'>,
    opts: QaViewOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.store.add(
      session.onSetup(({ conn, scope }) => {
        this.lastQa = null;
        conn.control.moderate({ action: 'pre-moderation', on: this.preModeration });
        scope.add(conn.control.onQuestions(() => this.schedulePush()));
        scope.add(
          toDisposable(() => {
            this.cancelPush();
            this.lastQa = conn.control.qaState;
          }),
        );
      }),
    );
    this.store.add(
      session.onLive((live) => {
        if (live) this.push();
      }),
    );
    this.store.add(session.onEnd(() => this.push()));
    this.store.add(stage.onChange(() => this.push()));
    this.store.add(toDisposable(() => this.cancelPush()));
  }

  /** The panel's view: the engine's merged list while live, the last session's after Stop. */
  view(): QaState {
    const s = this.session.current;
    const qa = s ? s.conn.control.qaState : this.lastQa;
    const controlServers = s?.controlServers ?? 0;
    const available = this.session.state === 'live' && controlServers > 0;
    const message = available ? qaFromNodes(controlServers) : s ? QA_NO_CONTROL : qa ? QA_ENDED : QA_NOT_LIVE;
    return {
      available,
      message,
      preModeration: this.preModeration,
      banner: this.stage.title('banner'),
      slideTitle: this.stage.title('slide'),
      questions: qa
        ? ordered(qa).map((q) => ({
            id: q.id,
            text: q.text,
            author: q.name ?? null,
            votes: q.votes,
            askedAt: q.askedAt,
            status: q.status,
            pinned: q.id === qa.pinnedId,
            servers: [...q.nodes],
          }))
        : [],
    };
  }

  moderate(questionId: string, action: QaAction): QaState {
    const { control } = this.session.requireControl(DOING.moderate);
    control.moderate(action === 'unpin' ? { action: 'pin', questionId: null } : { action: action === 'answered' ? 'answer' : action, questionId });
    return this.push();
  }

  setPreModeration(on: boolean): QaState {
    this.preModeration = on;
    // Takes effect at once while live, and for the next session otherwise.
    this.session.current?.conn.control.moderate({ action: 'pre-moderation', on });
    return this.push();
  }

  /** The live session's questions, or the last session's after Stop, as a file to save. */
  export(format: 'csv' | 'json'): QaExport {
    const s = this.session.current;
    const live = s !== null && this.session.state === 'live';
    const qa = live ? null : this.lastQa;
    if (!live && !qa) throw new HostError('invalid-state', QA_NOTHING_TO_EXPORT);
    const text = live ? s!.conn.control.exportQa(format) : format === 'csv' ? exportCsv(qa!) : exportJson(qa!);
    const stamp = new Date(this.now()).toISOString().slice(0, 16).replace(/:/g, '-');
    return { format, filename: `questions-${stamp}.${format}`, mimeType: format === 'csv' ? 'text/csv' : 'application/json', text };
  }

  dispose(): void {
    this.store.dispose();
  }

  /** Sends the view to every window now (cancelling a pending coalesced push) and returns it. */
  private push(): QaState {
    this.cancelPush();
    const view = this.view();
    this.windows.broadcast('qa', view);
    return view;
  }

  private schedulePush(): void {
    if (this.pushDue) return;
    this.pushDue = true;
    queueMicrotask(() => {
      if (this.pushDue) this.push();
    });
  }

  private cancelPush(): void {
    this.pushDue = false;
  }
}
