// The viewer page's player decisions, without a browser: which node comes next when a player is
// let go and when to say Offline (app/viewer/src/failover.ts), what counts as playback moving or
// stalled and when to jump to the live edge (playback-watch.ts), and the order of the nodes it
// tries (nodes.ts).
import { describe, expect, it } from 'vitest';
import { FailoverChoice } from '../../app/viewer/src/failover.js';
import { candidateNodes } from '../../app/viewer/src/nodes.js';
import { LIVE_EDGE_S, MAX_BEHIND_S, PlaybackWatch, TICK_MS, liveEdgeTarget } from '../../app/viewer/src/playback-watch.js';

describe('failover choice', () => {
  it('goes round the nodes and says Offline once every node failed in a row', () => {
    const c = new FailoverChoice(3);
    expect(c.index).toBe(0);
    expect(c.next(false)).toEqual({ index: 1, offline: false });
    expect(c.next(false)).toEqual({ index: 2, offline: false });
    expect(c.next(false)).toEqual({ index: 0, offline: true });
    // The round starts over after Offline.
    expect(c.next(false)).toEqual({ index: 1, offline: false });
  });

  it('does not count a player that had played: it was let go, not refused', () => {
    const c = new FailoverChoice(2);
    expect(c.next(true)).toEqual({ index: 1, offline: false });
    expect(c.next(true)).toEqual({ index: 0, offline: false });
    expect(c.next(false)).toEqual({ index: 1, offline: false });
    expect(c.next(false)).toEqual({ index: 0, offline: true });
  });

  it('retries the only node at once after it played, and says Offline after it failed', () => {
    const c = new FailoverChoice(1);
    expect(c.next(true)).toEqual({ index: 0, offline: false });
    expect(c.next(false)).toEqual({ index: 0, offline: true });
  });

  it('forgets failures once playback moved', () => {
    const c = new FailoverChoice(2);
    c.next(false);
    c.progressed();
    expect(c.next(false)).toEqual({ index: 0, offline: false });
    expect(c.next(false)).toEqual({ index: 1, offline: true });
  });

  it('needs a node', () => {
    expect(() => new FailoverChoice(0)).toThrow(/at least one node/);
  });
});

describe('playback watch', () => {
  it('counts a step of about one tick as progress, and a jump as a seek', () => {
    const w = new PlaybackWatch(3000, 0);
    expect(w.sample(10, 0)).toBe('waiting'); // the first sample has nothing to compare with
    expect(w.sample(10 + TICK_MS / 1000, 250)).toBe('progress');
    expect(w.sample(10.255, 500)).toBe('waiting'); // 5 ms: not moving
    expect(w.sample(14, 750)).toBe('waiting'); // a jump of seconds: a seek
    expect(w.sample(14.25, 1000)).toBe('progress');
  });

  it('says stalled once nothing moved for longer than the stall time, counting from the last progress', () => {
    const w = new PlaybackWatch(3000, 0);
    w.sample(1, 0);
    expect(w.sample(1.25, 250)).toBe('progress');
    expect(w.sample(1.25, 3250)).toBe('waiting');
    expect(w.sample(1.25, 3251)).toBe('stalled');
  });

  it('gives a new player the full stall time', () => {
    const w = new PlaybackWatch(3000, 0);
    w.restart(10_000);
    expect(w.sample(0, 12_000)).toBe('waiting');
    expect(w.sample(0, 13_001)).toBe('stalled');
  });

  it('jumps to just behind the buffered end once playback falls too far behind', () => {
    expect(liveEdgeTarget(10, null)).toBeNull();
    expect(liveEdgeTarget(10, 10 + MAX_BEHIND_S)).toBeNull();
    expect(liveEdgeTarget(10, 13)).toBeCloseTo(13 - LIVE_EDGE_S);
  });
});

describe('candidate nodes', () => {
  const cluster = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'https://c.example:8443'];

  it('starts with the node that served the page, then the rest of the cluster in order', () => {
    expect(candidateNodes('http://127.0.0.1:8002', cluster, '/live/main.flv')).toEqual([
      { base: 'http://127.0.0.1:8002', url: 'ws://127.0.0.1:8002/live/main.flv' },
      { base: 'https://c.example:8443', url: 'wss://c.example:8443/live/main.flv' },
      { base: 'http://127.0.0.1:8001', url: 'ws://127.0.0.1:8001/live/main.flv' },
    ]);
  });

  it('puts a page origin that is not in the list first, and plays its own node without a cluster', () => {
    expect(candidateNodes('http://lb.example', cluster, '/live/s.flv').map((n) => n.base)).toEqual(['http://lb.example', ...cluster]);
    expect(candidateNodes('http://127.0.0.1:9', [], '/live/s.flv')).toEqual([{ base: 'http://127.0.0.1:9', url: 'ws://127.0.0.1:9/live/s.flv' }]);
  });
});
