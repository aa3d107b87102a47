// When to show a cue. Each node stamps a cue with its own FLV timeline (the engine maps stream
// time onto every server's relay), so a cue is shown when this page's playback of that node
// reaches the stamp. A cue from a node other than the one playing (the control session follows
// the player within a second, and the new node replays its recent cues with its own stamps) waits
// for that replay, and is shown anyway after CUE_HOLD_MS.
import type { Cue } from '../../../common/control-protocol.js';

/** How long a cue waits for the playing node's own stamp (after a failover) before it is shown anyway. */
export const CUE_HOLD_MS = 5000;
/** A stamp further ahead of playback than any cue is sent for is not this timeline's: shown at once. */
export const MAX_CUE_LEAD_MS = 30_000;
/** Cue ids remembered as shown, so a replay from another node does not show one twice. */
const MAX_APPLIED_CUES = 500;

/** What is on screen: the node played and the FLV timestamp (ms) at the playback position. */
export interface PlayClock {
  base: string;
  ms: number;
  playing: boolean;
}

interface Entry {
  cue: Cue;
  /** The node whose control session sent it (its stamp is on that node's timeline). */
  base: string | null;
  receivedAt: number;
}

export interface DueCue {
  cue: Cue;
  /** The FLV timestamp playing when it is shown, or null when it is shown off its timeline. */
  shownAtTs: number | null;
}

export class CueSchedule {
  /** Cues not shown yet, by id (a replay from another node replaces the entry with its own stamp). */
  private readonly pending = new Map<string, Entry>();
  private readonly applied = new Set<string>();

  get size(): number {
    return this.pending.size;
  }

  add(cue: Cue, base: string | null, now: number): void {
    if (this.applied.has(cue.id)) return;
    this.pending.set(cue.id, { cue, base, receivedAt: now });
  }

  /**
   * The cues due now, in stamp order (each then counts as shown), and when to look again (ms, null
   * when nothing waits). `clock` is what is on screen; `playerActive` is false when nothing plays.
   */
  take(clock: PlayClock | null, playerActive: boolean, now: number): { due: DueCue[]; nextInMs: number | null } {
    const due: DueCue[] = [];
    let nextInMs = CUE_HOLD_MS;
    for (const [id, e] of this.pending) {
      let show = false;
      if (clock && clock.base === e.base) {
        // Playing this cue's node: at its stamp. Paused (autoplay refused): now.
        const ahead = e.cue.streamTimeMs - clock.ms;
        if (ahead <= 0 || !clock.playing || ahead > MAX_CUE_LEAD_MS) show = true;
        else nextInMs = Math.min(nextInMs, ahead);
      } else if (now - e.receivedAt >= CUE_HOLD_MS || !playerActive) {
        // Nothing to play, or the playing node's own stamp never came: show it rather than never.
        show = true;
      } else {
        nextInMs = Math.min(nextInMs, e.receivedAt + CUE_HOLD_MS - now);
      }
      if (show) {
        due.push({ cue: e.cue, shownAtTs: clock && clock.base === e.base ? clock.ms : null });
        this.pending.delete(id);
      }
    }
    due.sort((a, b) => a.cue.streamTimeMs - b.cue.streamTimeMs);
    for (const d of due) this.remember(d.cue.id);
    return { due, nextInMs: this.pending.size ? nextInMs : null };
  }

  private remember(id: string): void {
    this.applied.add(id);
    if (this.applied.size > MAX_APPLIED_CUES) this.applied.delete(this.applied.values().next().value!);
  }
}

/** The text a cue shows: its data when that is text, its data's title, else its kind. */
export function cueText(cue: Cue): string {
  const d = cue.data;
  if (typeof d === 'string') return d;
  if (d && typeof d === 'object' && !Array.isArray(d) && typeof d.title === 'string') return d.title;
  return cue.kind;
}
