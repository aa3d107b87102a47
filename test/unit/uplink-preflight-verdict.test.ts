import { describe, expect, it } from 'vitest';
import { formatBitrate as formatRate } from '../../common/uplink-board.js';
import { preflightVerdict, serverUploadSentence, uploadCheckView } from '../../main/engine/uplink/preflight-verdict.js';
import { simulate } from '../support/uplink-sim.js';

const MB = 1_000_000;
const RATES = { videoBps: 2_500_000, audioBps: 128_000 };

describe('preflight verdict', () => {
  it('says enough, for one server and for several', () => {
    expect(preflightVerdict({ uploadBps: 20 * MB, capped: false, servers: 2, rates: RATES }).sentence).toBe('Your upload carries about 20.0 Mb/s: enough for 2 servers at 2.5 Mb/s each');
    expect(preflightVerdict({ uploadBps: 4.1 * MB, capped: false, servers: 1, rates: RATES }).sentence).toBe('Your upload carries about 4.1 Mb/s: enough for 1 server at 2.5 Mb/s');
    const v = preflightVerdict({ uploadBps: 4.1 * MB, capped: false, servers: 2, rates: { videoBps: 1_500_000, audioBps: 128_000 } });
    expect(v).toMatchObject({ kind: 'enough', videoBps: 1_500_000, paused: 0 });
    expect(v.sentence).toBe('Your upload carries about 4.1 Mb/s: enough for 2 servers at 1.5 Mb/s each');
  });

  it('says the quality will be lowered to the step of the controller that fits', () => {
    // 2 × (2.5 + 0.128) × 1.12 = 5.9 Mb/s does not fit 4 Mb/s; 60 % (1.5 Mb/s) needs 3.65 Mb/s and does.
    const v = preflightVerdict({ uploadBps: 4 * MB, capped: false, servers: 2, rates: RATES });
    expect(v).toMatchObject({ kind: 'reduce', videoBps: 1_500_000, paused: 0 });
    expect(v.sentence).toBe('Your upload carries about 4.0 Mb/s: not enough for 2 servers at 2.5 Mb/s each; Tandem will lower the quality to 1.5 Mb/s');
    // Three servers at 4 Mb/s: 35 % (875 kb/s) is the first that fits; at 3 Mb/s, 20 % (500 kb/s).
    const three = preflightVerdict({ uploadBps: 4 * MB, capped: false, servers: 3, rates: RATES });
    expect(three.sentence).toBe('Your upload carries about 4.0 Mb/s: not enough for 3 servers at 2.5 Mb/s each; Tandem will lower the quality to 875 kb/s');
    expect(preflightVerdict({ uploadBps: 3 * MB, capped: false, servers: 3, rates: RATES })).toMatchObject({ kind: 'reduce', videoBps: 500_000 });
  });

  it('says which servers will be paused when even the lowest step cannot carry them all', () => {
    // Lowest step 0.5 Mb/s: one server needs 0.70 Mb/s on the wire.
    const one = preflightVerdict({ uploadBps: 1.6 * MB, capped: false, servers: 3, rates: RATES });
    expect(one).toMatchObject({ kind: 'pause', videoBps: 500_000, paused: 1 });
    expect(one.sentence).toBe('Your upload carries about 1.6 Mb/s: not enough for 3 servers at 2.5 Mb/s each; Tandem will lower the quality to 500 kb/s and pause the last server');
    const two = preflightVerdict({ uploadBps: 0.8 * MB, capped: false, servers: 4, rates: RATES });
    expect(two).toMatchObject({ kind: 'pause', paused: 3 });
    expect(two.sentence).toContain('and pause the last 3 servers');
  });

  it('says when not even one server can be carried', () => {
    const v = preflightVerdict({ uploadBps: 0.4 * MB, capped: false, servers: 2, rates: RATES });
    expect(v.kind).toBe('short');
    expect(v.sentence).toBe(
      'Your upload carries about 400 kb/s: not enough for 2 servers at 2.5 Mb/s each, nor for 1 server at 500 kb/s, even with the last server paused; viewers would see the webcast freeze: use a faster connection',
    );
    expect(preflightVerdict({ uploadBps: 0.4 * MB, capped: false, servers: 1, rates: RATES }).sentence).toBe(
      'Your upload carries about 400 kb/s: not enough for 1 server at 2.5 Mb/s, nor for 1 server at 500 kb/s; viewers would see the webcast freeze: use a faster connection',
    );
  });

  it('counts plain RTMP servers in what the upload must carry, and says when nothing could be measured', () => {
    // Measured on one node, three servers going live (two plain RTMP): all three need a copy.
    expect(preflightVerdict({ uploadBps: 7 * MB, capped: false, servers: 3, rates: RATES }).kind).toBe('reduce');
    expect(preflightVerdict({ uploadBps: 7 * MB, capped: false, servers: 2, rates: RATES }).kind).toBe('enough');
    expect(preflightVerdict({ uploadBps: null, capped: false, servers: 2, unmeasured: 'no-nodes', rates: RATES }).sentence).toBe(
      'Your upload was not measured: plain RTMP servers cannot take an upload test without publishing; a Tandem node can',
    );
    expect(preflightVerdict({ uploadBps: null, capped: false, servers: 2, unmeasured: 'no-answer', rates: RATES })).toMatchObject({
      kind: 'unknown',
      sentence: 'Your upload was not measured: no Tandem node answered the upload test',
    });
    expect(preflightVerdict({ uploadBps: 96 * MB, capped: true, servers: 2, rates: RATES }).sentence).toBe('Your upload carries more than 96.0 Mb/s: enough for 2 servers at 2.5 Mb/s each');
    expect(serverUploadSentence({ id: 'yt', bps: null, reason: 'plain RTMP server' })).toBe('not measured: plain RTMP server');
    expect(serverUploadSentence({ id: 'n1', bps: 2_060_000, reason: 'measured' })).toBe('2.1 Mb/s reached it during the test');
    expect(serverUploadSentence({ id: 'n1', bps: 120_000_000, reason: 'measured', capped: true })).toBe('at least 120 Mb/s reached it during the test');
  });

  it('lists each server, and names a path slow alone', () => {
    const view = uploadCheckView(
      {
        servers: [
          { id: 'n1', bps: 18_000_000, reason: 'measured' },
          { id: 'n2', bps: 1_000_000, reason: 'measured' },
          { id: 'yt', bps: null, reason: 'plain RTMP server (it cannot take a test without publishing)' },
        ],
        uploadBps: 19_000_000,
        capped: false,
      },
      RATES,
    );
    expect(view.kind).toBe('enough');
    expect(view.verdict).toBe('Your upload carries about 19.0 Mb/s: enough for 3 servers at 2.5 Mb/s each');
    expect(view.servers.map((s) => s.sentence)).toEqual([
      '18.0 Mb/s reached it during the test',
      '1.0 Mb/s reached it during the test: its own path is slow (2.9 Mb/s needed), so it will drop video while the others play on',
      'not measured: plain RTMP server (it cannot take a test without publishing)',
    ]);
    // A shared upload that is short slows every server alike: no path is called slow.
    const short = uploadCheckView({ servers: [{ id: 'a', bps: 2_000_000, reason: 'measured' }, { id: 'b', bps: 1_900_000, reason: 'measured' }], uploadBps: 3_900_000, capped: false }, RATES);
    expect(short.servers.map((s) => s.sentence)).toEqual(['2.0 Mb/s reached it during the test', '1.9 Mb/s reached it during the test']);
  });

  it('formats rates in words', () => {
    expect([formatRate(875_000), formatRate(4_130_000), formatRate(150_000_000)]).toEqual(['875 kb/s', '4.1 Mb/s', '150 Mb/s']);
  });

  it('plans what the uplink controller settles on for a steady upload of that size', () => {
    const servers = [{ id: 'a', rank: 0 }, { id: 'b', rank: 1 }, { id: 'c', rank: 2 }];
    for (const [upload, n] of [[20, 2], [4, 2], [4, 3], [3, 3], [1.6, 3], [1.2, 3]] as const) {
      const v = preflightVerdict({ uploadBps: upload * MB, capped: false, servers: n, rates: RATES });
      const trace = simulate({ servers: servers.slice(0, n), videoBps: RATES.videoBps, audioBps: RATES.audioBps, uploadBps: () => upload * MB, durationMs: 90_000 });
      const last = trace.at(-1)!.decision;
      expect({ upload, n, videoBps: Math.round(RATES.videoBps * last.fraction), paused: last.paused.length }).toEqual({ upload, n, videoBps: v.videoBps, paused: v.paused });
    }
  });
});
