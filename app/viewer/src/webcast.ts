// The webcast's phase on the page, as the node tells it (control-protocol.ts `webcast`): a countdown
// over the player ("Starting in 3…"), an ended webcast that looks ended (a slate in the brand's
// colours, no more playing or reconnecting) and, when the next webcast begins, playback again by
// itself. The Ask box follows the same phase (interaction.ts).
import type { WebcastView } from '../../../common/control-protocol.js';
import { WEBCAST_ENDED, WEBCAST_ENDED_DETAIL, countdownText } from '../../../common/webcast.js';
import { el } from './dom.js';
import { liveNode } from './status.js';

/** What the phase drives of the player (player.ts); null on a page that cannot play. */
export interface PhasePlayer {
  end(): void;
  countdown(): void;
  live(): void;
}

const COUNTDOWN_TICK_MS = 250;

export class WebcastPhase {
  private readonly slate = el('slate');
  private readonly title = el('slate-title');
  private readonly detail = el('slate-detail');
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly player: PhasePlayer | null) {}

  /** A `webcast` message from the node at `base` (the page's control session). */
  apply(w: WebcastView, base: string): void {
    clearInterval(this.timer);
    // A node whose own publisher went away says ended; a page playing another node of the cluster
    // live is not watching that node's stream, and keeps playing.
    if (w.phase === 'ended' && w.reason === 'publisher-gone') {
      const playing = liveNode();
      if (playing !== null && playing !== base) return;
    }
    document.documentElement.dataset.webcast = w.phase;
    switch (w.phase) {
      case 'ended':
        this.show(WEBCAST_ENDED, WEBCAST_ENDED_DETAIL);
        this.player?.end();
        return;
      case 'countdown': {
        const endsAt = Date.now() + (w.remainingMs ?? 0);
        const render = () => this.show(countdownText(endsAt - Date.now()), '');
        render();
        this.timer = setInterval(render, COUNTDOWN_TICK_MS);
        this.player?.countdown();
        return;
      }
      case 'live':
      case 'idle':
        // Idle: this node knows of no webcast (no presenter ever set one): play as usual, which
        // also undoes an end another node of the cluster told before this session moved here.
        this.hide();
        this.player?.live();
        return;
    }
  }

  private show(title: string, detail: string): void {
    this.title.textContent = title;
    this.detail.textContent = detail;
    this.detail.hidden = !detail;
    this.slate.hidden = false;
  }

  private hide(): void {
    this.slate.hidden = true;
  }
}
