// The interaction region: the control session (control-client.ts) feeds the banner, cues (cues.ts,
// timed against the player's clock) and Q&A (qa-model.ts), shown by qa-view.ts.
import { Emitter } from '../../../common/event.js';
import type { NodeToClient, WebcastView } from '../../../common/control-protocol.js';
import { QUESTIONS_CLOSED, QUESTIONS_ENDED, QUESTION_KEPT } from '../../../common/webcast.js';
import { ControlClient } from './control-client.js';
import { CueSchedule, type PlayClock } from './cues.js';
import type { CandidateNode } from './nodes.js';
import { QaModel } from './qa-model.js';
import { QaView } from './qa-view.js';
import { liveNode, playerActive } from './status.js';
import { randomId, voterId } from './voter.js';

/** The presenter's banner: the `title` slot of the public `banner` shared object. */
const BANNER_OBJECT = 'banner';
const BANNER_SLOT = 'title';
/** How often the session checks that it is on the player's node, and cues are looked at anyway. */
const CHECK_MS = 1000;
/** Bounds of the timer that shows a held cue (ms). */
const CUE_TIMER_MIN_MS = 10;
const CUE_TIMER_MAX_MS = 250;

type Sync = Extract<NodeToClient, { type: 'so.sync' }>;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class Interaction {
  private readonly control: ControlClient;
  private readonly qa = new QaModel(voterId(storage()));
  private readonly cues = new CueSchedule();
  private readonly view: QaView;
  private cueTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly _onWebcast = new Emitter<{ webcast: WebcastView; base: string }>();
  /** The node told the webcast's phase (on hello and on every change). */
  readonly onWebcast = this._onWebcast.event;

  constructor(root: HTMLElement, nodes: readonly CandidateNode[], private readonly clock: () => PlayClock | null) {
    this.view = new QaView(root);
    this.control = new ControlClient(nodes.map((n) => n.base));
    this.control.onMessage(({ message, base }) => this.onMessage(message, base));
    this.control.onClose(() => this.view.setControlNode(null));
    this.view.onAsk(({ text, name }) => {
      const q = this.qa.ask(text, name, randomId('q-'));
      if (!q) return;
      this.view.clearQuestion();
      this.view.render(this.qa);
      this.control.send(q);
    });
    this.view.onVote((id) => {
      const v = this.qa.vote(id);
      if (v) this.control.send(v);
    });
  }

  start(): void {
    this.control.start();
    setInterval(() => this.showCues(), CHECK_MS);
    setInterval(() => {
      const node = liveNode();
      if (node) this.control.follow(node);
    }, CHECK_MS);
  }

  private onMessage(m: NodeToClient, base: string): void {
    switch (m.type) {
      case 'welcome':
        this.view.setControlNode(m.nodeId);
        for (const q of this.qa.resend()) this.control.send(q);
        return;
      case 'cue':
        this.cues.add(m.cue, base, Date.now());
        this.showCues();
        return;
      case 'so.sync':
        this.onSync(m);
        break;
      case 'webcast':
        this.view.setClosed(m.webcast.questions === 'closed' ? QUESTIONS_CLOSED : m.webcast.phase === 'ended' ? QUESTIONS_ENDED : null);
        this.view.render(this.qa);
        this._onWebcast.fire({ webcast: m.webcast, base });
        return;
      default:
    }
    if (!this.qa.apply(m)) return;
    // The node keeps a question while no presenter is connected: say that, not "sent".
    if (m.type === 'qa.asked' && m.kept) this.qa.note = QUESTION_KEPT;
    this.view.render(this.qa);
  }

  private onSync(m: Sync): void {
    const title = m.name === BANNER_OBJECT ? m.slots[BANNER_SLOT] : undefined;
    if (title) this.view.setBanner(typeof title.value === 'string' ? title.value : '');
  }

  private showCues(): void {
    clearTimeout(this.cueTimer);
    if (!this.cues.size) return;
    const { due, nextInMs } = this.cues.take(this.clock(), playerActive(), Date.now());
    for (const d of due) this.view.showCue(d);
    if (nextInMs !== null) this.cueTimer = setTimeout(() => this.showCues(), Math.max(CUE_TIMER_MIN_MS, Math.min(nextInMs, CUE_TIMER_MAX_MS)));
  }
}
