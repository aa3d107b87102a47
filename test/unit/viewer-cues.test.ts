// When the viewer page shows a cue (app/viewer/src/cues.ts): on the playing node's timeline at its
// stamp; at once when paused, far ahead, or nothing plays; after a hold when it came from another
// node; never twice.
import { describe, expect, it } from 'vitest';
import { CUE_HOLD_MS, CueSchedule, MAX_CUE_LEAD_MS, cueText } from '../../app/viewer/src/cues.js';
import type { Cue } from '../../common/control-protocol.js';

const A = 'http://127.0.0.1:8001';
const B = 'http://127.0.0.1:8002';
const cue = (id: string, streamTimeMs: number, data: Cue['data'] = { title: id }): Cue => ({ id, streamTimeMs, kind: 'slide', data });
const playing = (base: string, ms: number) => ({ base, ms, playing: true });

describe('cue schedule', () => {
  it('shows a cue when playback of its node reaches the stamp, and says when to look again', () => {
    const s = new CueSchedule();
    s.add(cue('c1', 10_000), A, 0);
    expect(s.take(playing(A, 9_800), true, 0)).toEqual({ due: [], nextInMs: 200 });
    expect(s.take(playing(A, 10_003), true, 200)).toEqual({ due: [{ cue: cue('c1', 10_000), shownAtTs: 10_003 }], nextInMs: null });
    expect(s.size).toBe(0);
  });

  it('shows at once when paused, when the stamp is further ahead than any cue, or when nothing plays', () => {
    const s = new CueSchedule();
    s.add(cue('paused', 10_000), A, 0);
    expect(s.take({ base: A, ms: 5_000, playing: false }, true, 0).due.map((d) => d.cue.id)).toEqual(['paused']);
    s.add(cue('far', 5_000 + MAX_CUE_LEAD_MS + 1), A, 0);
    expect(s.take(playing(A, 5_000), true, 0).due.map((d) => d.cue.id)).toEqual(['far']);
    s.add(cue('idle', 1), B, 0);
    expect(s.take(null, false, 0).due).toEqual([{ cue: cue('idle', 1), shownAtTs: null }]);
  });

  it('holds a cue from another node for that node\'s replay, and shows it anyway after the hold', () => {
    const s = new CueSchedule();
    s.add(cue('c1', 50_000), B, 0);
    expect(s.take(playing(A, 1_000), true, 1_000)).toEqual({ due: [], nextInMs: CUE_HOLD_MS - 1_000 });
    // The playing node's replay replaces it with its own stamp.
    s.add(cue('c1', 1_500), A, 2_000);
    expect(s.take(playing(A, 1_600), true, 2_100).due).toEqual([{ cue: cue('c1', 1_500), shownAtTs: 1_600 }]);
    s.add(cue('c2', 50_000), B, 10_000);
    expect(s.take(playing(A, 1_000), true, 10_000 + CUE_HOLD_MS).due).toEqual([{ cue: cue('c2', 50_000), shownAtTs: null }]);
  });

  it('shows due cues in stamp order, and never the same cue twice', () => {
    const s = new CueSchedule();
    s.add(cue('late', 300), A, 0);
    s.add(cue('early', 100), A, 0);
    expect(s.take(playing(A, 400), true, 0).due.map((d) => d.cue.id)).toEqual(['early', 'late']);
    s.add(cue('early', 100), B, 10);
    expect(s.size).toBe(0);
  });

  it('shows a cue\'s text, its title, or its kind', () => {
    expect(cueText(cue('c', 0, 'Now: Q&A'))).toBe('Now: Q&A');
    expect(cueText(cue('c', 0, { title: 'Results' }))).toBe('Results');
    expect(cueText(cue('c', 0, { page: 3 }))).toBe('slide');
    expect(cueText(cue('c', 0, ['title']))).toBe('slide');
  });
});
