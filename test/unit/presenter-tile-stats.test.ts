// Each server's tile shows what the server itself receives: a Tandem node with a control session
// reports its own view of the stream (getStats, polled by the engine: the stream's ingest bitrate,
// fps, keyframe age, viewers); a node with only a control URL falls back to /metrics; plain RTMP
// servers report nothing. The renderer's words and warning for those numbers are checked too.
import { describe, expect, it } from 'vitest';
import type { ServerTile } from '../../common/ipc-contract.js';
import { sessionViewSchema } from '../../common/ipc-contract.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { NODE_STATS_STALE_MS } from '../../main/presenter/tile-stats.js';
import { receiveWarning, receiveWords } from '../../renderer/src/format.js';
import { RecordingClient, fakePresenter } from '../support/studio-fakes.js';

const TOKEN = 'presenter-token-0123456789abcdef';

async function setup() {
  const profile = new PresenterProfile(new MemorySettingsStore(), new MemorySecretStore());
  await profile.save({ id: 'node', url: 'rtmp://127.0.0.1:1/live/main', controlUrl: 'http://127.0.0.1:8080', token: TOKEN });
  await profile.save({ id: 'metrics-only', url: 'rtmp://127.0.0.1:2/live/main', controlUrl: 'http://127.0.0.1:8081' });
  await profile.save({ id: 'nginx', url: 'rtmp://127.0.0.1:3/live', streamKey: 'k' });
  const polled: Array<Array<{ id: string; controlUrl?: string }>> = [];
  let now = 1_000_000;
  const { presenter: host, conns } = fakePresenter(profile, {
    tickMs: 10,
    now: () => now,
    createStatsPoller: (targets) => {
      polled.push([...targets]);
      // /metrics would answer for every server it is asked about: node-wide bytes and viewers.
      return { start() {}, sample: (id) => (targets.some((t) => t.id === id && t.controlUrl) ? { receivedBps: 9_000_000, viewers: 7 } : { receivedBps: null, viewers: null }), dispose() {} };
    },
  });
  const w = new RecordingClient('w1');
  host.windows.attach(w);
  await host.session.start({ kind: 'test-pattern' }, false, 'w1');
  const tile = (id: string): ServerTile => {
    const view = sessionViewSchema.parse(w.last('session')); // what the renderer parses
    return view.tiles.find((t) => t.snapshot.id === id)!;
  };
  /** Waits for the next view the window gets (the live refresh runs every 10 ms here): a condition, not a sleep. */
  const tick = async () => {
    const seen = w.events.length;
    await expect.poll(() => w.events.slice(seen).some((e) => e.event === 'session'), { timeout: 2000, interval: 5 }).toBe(true);
  };
  return { host, conn: conns[0]!, polled, w, tile, tick, advance: (ms: number) => (now += ms) };
}

describe('server tiles: what each server receives', () => {
  it("shows a node's own getStats view in its tile, sent to the renderer", async () => {
    const { host, conn, tile, tick } = await setup();
    try {
      expect(tile('node')).toMatchObject({ reportedBy: null, receivedBps: null, fps: null, keyframeAgeMs: null, viewers: null });
      conn.control.nodeStats('node', { live: true, ingestBps: 2_400_000, fps: 29.97, keyframeAgeMs: 800, viewers: 12 });
      await tick();
      expect(tile('node')).toMatchObject({ reportedBy: 'node', nodeLive: true, receivedBps: 2_400_000, fps: 29.97, keyframeAgeMs: 800, viewers: 12 });
      expect(receiveWords(tile('node'))).toBe('2.4 Mb/s · 30 fps · keyframe 0.8 s ago');
      // The next poll replaces it.
      conn.control.nodeStats('node', { live: true, ingestBps: 0, fps: 0, keyframeAgeMs: 9000, viewers: 11 });
      await tick();
      expect(tile('node')).toMatchObject({ receivedBps: 0, fps: 0, keyframeAgeMs: 9000, viewers: 11 });
    } finally {
      await host.shutdown();
    }
  });

  it('falls back to /metrics only for nodes without a control session, and says "not reported" for plain RTMP servers', async () => {
    const { host, polled, tile, tick } = await setup();
    try {
      // The node with a token reports through getStats: /metrics is not polled for it.
      expect(polled).toHaveLength(1);
      expect(polled[0]).toEqual([{ id: 'node' }, { id: 'metrics-only', controlUrl: 'http://127.0.0.1:8081' }, { id: 'nginx' }]);
      await tick();
      expect(tile('metrics-only')).toMatchObject({ reportedBy: 'metrics', receivedBps: 9_000_000, fps: null, keyframeAgeMs: null, viewers: 7 });
      expect(receiveWords(tile('metrics-only'))).toBe('9.0 Mb/s (whole server)');
      expect(tile('nginx')).toMatchObject({ reportedBy: null, receivedBps: null, viewers: null });
      expect(receiveWords(tile('nginx'))).toBe('not reported');
    } finally {
      await host.shutdown();
    }
  });

  it("stops showing a node's stats once they are stale (its control session went away), and forgets them after Stop", async () => {
    const { host, conn, tile, advance, w, tick } = await setup();
    try {
      conn.control.nodeStats('node', { ingestBps: 500_000, fps: 30, keyframeAgeMs: 100, viewers: 2 });
      await tick();
      expect(tile('node').reportedBy).toBe('node');
      advance(NODE_STATS_STALE_MS + 1);
      await tick();
      expect(tile('node')).toMatchObject({ reportedBy: null, receivedBps: null, fps: null, viewers: null });
      conn.control.nodeStats('node', { ingestBps: 500_000, fps: 30, keyframeAgeMs: 100, viewers: 2 });
      await host.session.stop('test');
      expect(sessionViewSchema.parse(w.last('session')).tiles).toEqual([]);
      // Stats arriving after Stop (a late poll) go nowhere.
      conn.control.nodeStats('node', { ingestBps: 1 });
      expect(host.views.view('w1').tiles).toEqual([]);
    } finally {
      await host.shutdown();
    }
  });
});

describe('renderer words for what a server receives', () => {
  const node = (o: Partial<Pick<ServerTile, 'nodeLive' | 'receivedBps' | 'fps' | 'keyframeAgeMs'>> = {}) => ({
    reportedBy: 'node' as const,
    nodeLive: true,
    receivedBps: 2_400_000,
    fps: 30,
    keyframeAgeMs: 800,
    ...o,
  });

  it('leaves out what the node does not know', () => {
    expect(receiveWords(node({ fps: null, keyframeAgeMs: null, receivedBps: 640_000 }))).toBe('640 kb/s');
    expect(receiveWords({ reportedBy: null, nodeLive: null, receivedBps: null, fps: null, keyframeAgeMs: null })).toBe('not reported');
  });

  it('warns when the node receives nothing, no frames or no keyframe while the engine says live', () => {
    const live = 60_000;
    expect(receiveWarning(node(), true, live)).toBeNull();
    expect(receiveWarning(node({ receivedBps: 0 }), true, live)).toMatch(/receives nothing/);
    expect(receiveWarning(node({ nodeLive: false }), true, live)).toMatch(/receives nothing/);
    expect(receiveWarning(node({ fps: 0 }), true, live)).toMatch(/no video frames/);
    expect(receiveWarning(node({ keyframeAgeMs: 7200 }), true, live)).toBe('No keyframe for 7 s: viewers who join now wait for a picture.');
    // Not while the engine itself is not live, in the first seconds of going live, or without a node's own view.
    expect(receiveWarning(node({ receivedBps: 0 }), false, live)).toBeNull();
    expect(receiveWarning(node({ receivedBps: 0 }), true, 2000)).toBeNull();
    expect(receiveWarning({ ...node({ receivedBps: 0 }), reportedBy: 'metrics' }, true, live)).toBeNull();
  });
});
