// Cues on a node: a presenter's cue (stamped with where the stream time lands on this node's
// timeline) goes to every viewer, and the last few are replayed to a viewer that says hello, so a
// page that joins or fails over shows what is on now.
import type { Cue } from '../../../common/control-protocol.js';
import type { ControlHub, ControlPeer } from '../connection.js';

/** Cues kept for late joiners: a slide change or two back is enough to show what is on. */
const CUE_HISTORY = 20;

export class CuesFeature {
  private readonly recent: Cue[] = [];

  constructor(private readonly hub: ControlHub) {}

  send(cue: Cue): void {
    this.recent.push(cue);
    if (this.recent.length > CUE_HISTORY) this.recent.shift();
    this.hub.toViewers({ type: 'cue', cue });
  }

  replayTo(peer: ControlPeer): void {
    for (const cue of this.recent) peer.send({ type: 'cue', cue });
  }
}
