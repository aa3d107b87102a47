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
/**
 * Not a batching stage but a guard for big sessions: a push is the whole list (~100 ms of JSON and
 * sorting for 10,000 questions on a loaded machine), and this process also feeds the RTMP relays.
 * Pushes may take at most this share of its time: after a push that took c ms the next waits until
 * c × (1 / share − 1) ms have passed. Cheap pushes (a few thousand questions) are never held.
 */
export const QA_PUSH_MAX_SHARE = 0.25;

type PanelQuestion = QaState['questions'][number];
type EngineQuestion = EngineQa['questions'][string];

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
  /** Held by QA_PUSH_MAX_SHARE after an expensive push. */
  private pushTimer: NodeJS.Timeout | null = null;
  /** When the last push ended and what it cost (ms, performance.now()). */
  private lastPush = { end: 0, cost: 0 };
  /** The panel's row of each engine question, kept while the question object is unchanged (immutable state). */
  private rows = new WeakMap<EngineQuestion, PanelQuestion>();
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
      questions: qa ? ordered(qa).map((q) => this.row(q, q.id === qa.pinnedId)) : [],
      previousExportable: s !== null && s.conn.control.previousQaExport('json') !== null,
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

  /**
   * The live session's questions, or the last session's after Stop, as a file to save; `previous`:
   * the webcast before this one, whose Q&A a fresh Go Live set aside.
   */
  export(format: 'csv' | 'json', webcast: 'current' | 'previous' = 'current'): QaExport {
    const s = this.session.current;
    const stamp = new Date(this.now()).toISOString().slice(0, 16).replace(/:/g, '-');
    const file = (text: string, name: string): QaExport => ({ format, filename: `${name}-${stamp}.${format}`, mimeType: format === 'csv' ? 'text/csv' : 'application/json', text });
    if (webcast === 'previous') {
      const text = s?.conn.control.previousQaExport(format) ?? null;
      if (text === null) throw new HostError('invalid-state', QA_NOTHING_TO_EXPORT);
      return file(text, 'questions-previous-webcast');
    }
    const live = s !== null && this.session.state === 'live';
    const qa = live ? null : this.lastQa;
    if (!live && !qa) throw new HostError('invalid-state', QA_NOTHING_TO_EXPORT);
    const text = live ? s!.conn.control.exportQa(format) : format === 'csv' ? exportCsv(qa!) : exportJson(qa!);
    return file(text, 'questions');
  }

  dispose(): void {
    this.store.dispose();
  }

  private row(q: EngineQuestion, pinned: boolean): PanelQuestion {
    const cached = this.rows.get(q);
    if (cached && cached.pinned === pinned) return cached;
    const r: PanelQuestion = { id: q.id, text: q.text, author: q.name ?? null, votes: q.votes, askedAt: q.askedAt, status: q.status, pinned, servers: [...q.nodes] };
    this.rows.set(q, r);
    return r;
  }

  /** Sends the view to every window now (cancelling a pending coalesced push) and returns it. */
  private push(): QaState {
    this.cancelPush();
    const start = performance.now();
    const view = this.view();
    this.windows.broadcast('qa', view);
    const end = performance.now();
    this.lastPush = { end, cost: end - start };
    return view;
  }

  private schedulePush(): void {
    if (this.pushDue) return;
    this.pushDue = true;
    const run = () => {
      this.pushTimer = null;
      if (this.pushDue) this.push();
    };
    const wait = this.lastPush.end + this.lastPush.cost * (1 / QA_PUSH_MAX_SHARE - 1) - performance.now();
    if (wait > 1) this.pushTimer = setTimeout(run, wait);
    else queueMicrotask(run);
  }

  private cancelPush(): void {
    this.pushDue = false;
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = null;
  }
}
