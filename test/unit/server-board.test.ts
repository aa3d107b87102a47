// The status board's one derivation: the setup check says "Reachable" (never "Ready"), a refused
// key says so in words with the server's answer and asks for the presenter once the engine gave
// up, the grammar for one, two and N servers, and no raw codes.
import { describe, expect, it } from 'vitest';
import { boardEntries, boardEntry, liveHeadline, reachableHeadline, withoutCodes } from '../../common/server-board.js';
import type { ServerSetupResult, ServerSnapshot } from '../../common/streaming.js';

const check = (result: ServerSetupResult['result'], message = 'm'): ServerSetupResult => ({ id: 'a', label: 'A', result, message, elapsedMs: 3 });
const snap = (o: Partial<ServerSnapshot>): ServerSnapshot => ({
  id: 'a',
  label: 'A',
  state: 'live',
  reason: null,
  message: 'Live',
  since: 1000,
  nextAttemptAt: null,
  metrics: { bytesSent: 0, bitrateBps: 0, uptimeMs: 0, reconnects: 0, droppedGops: 0, lastError: null },
  ...o,
});

describe('server board', () => {
  it('says Reachable for a setup check that only reached the application', () => {
    const e = boardEntry(check('ready', '127.0.0.1:1935 accepted connect(live).'), undefined);
    expect(e.word).toBe('Reachable');
    expect(e.sentence).toContain('the stream key is checked when you go live');
    expect(boardEntry(check('refused', 'connection refused (ECONNREFUSED).'), undefined)).toMatchObject({ word: 'Refused', tone: 'bad', sentence: 'connection refused' });
  });

  it('lets the engine snapshot decide once the server runs: Live only when the publish was accepted', () => {
    expect(boardEntry(check('ready'), snap({}))).toMatchObject({ word: 'Live', sentence: '' });
    expect(boardEntry(check('ready'), snap({ state: 'connecting', message: 'Connecting' })).word).toBe('Connecting');
  });

  it('says a server the uplink controller paused is Paused, why, and that it comes back by itself', () => {
    const e = boardEntry(check('ready'), snap({ state: 'paused', message: 'Paused: your upload cannot carry 3 servers' }));
    expect(e).toMatchObject({ word: 'Paused', tone: 'warn', needsPresenter: false });
    expect(e.sentence).toBe('Paused: your upload cannot carry 3 servers; it resumes by itself when the upload allows');
  });

  it('words a refused key from the server answer, counts the tries, and asks for the presenter once the engine gave up', () => {
    const trying = boardEntry(
      check('ready'),
      snap({ state: 'failed', reason: 'key-refused', message: 'n1 refused the stream key: bad-signature: no such key. Retrying in 2 s', nextAttemptAt: 5000, metrics: { bytesSent: 0, bitrateBps: 0, uptimeMs: 0, reconnects: 0, droppedGops: 0, lastError: null, refusals: 1 } }),
    );
    expect(trying).toMatchObject({ word: 'Refused', needsPresenter: false });
    expect(trying.sentence).toBe('Refused: check the stream key. n1 refused the stream key: bad-signature: no such key. Retrying in 2 s (refusal 1 of 3).');
    const gaveUp = boardEntry(
      check('ready'),
      snap({ state: 'failed', reason: 'key-refused', message: 'n1 refused the stream key: bad-signature. Refused 3 times in a row: not retrying until you retry or change the key', nextAttemptAt: null, metrics: { bytesSent: 0, bitrateBps: 0, uptimeMs: 0, reconnects: 0, droppedGops: 0, lastError: null, refusals: 3, waitingForPresenter: true } }),
    );
    expect(gaveUp).toMatchObject({ word: 'Refused', tone: 'bad', needsPresenter: true });
    // Between two attempts (failed, no next attempt yet) is not giving up: only the engine's flag is.
    expect(boardEntry(undefined, snap({ state: 'failed', reason: 'key-refused', message: 'x', nextAttemptAt: null })).needsPresenter).toBe(false);
    expect(gaveUp.sentence).toBe('Refused: check the stream key. n1 refused the stream key: bad-signature. Not retrying until you Retry or Edit it.');
    expect(boardEntry(undefined, snap({ state: 'failed', reason: 'signature-expired', message: 'x', nextAttemptAt: 1 })).sentence).toMatch(/^Refused: the signed stream key has expired/);
  });

  it('says Reconnecting with the reason for a lost server, without raw close codes', () => {
    const e = boardEntry(undefined, snap({ state: 'reconnecting', reason: 'refused', message: 'n1 refused the connection (ECONNREFUSED). Retrying in 0.4 s', nextAttemptAt: 1 }));
    expect(e).toMatchObject({ word: 'Reconnecting', tone: 'warn' });
    expect(e.sentence).not.toMatch(/\(|ECONN/);
    expect(withoutCodes('control session lost (1006); reconnecting')).toBe('control session lost; reconnecting');
  });

  it('lists setup results and engine snapshots as one board (a server added while live included)', () => {
    const entries = boardEntries([check('ready')], [snap({}), snap({ id: 'b', label: 'B', state: 'connecting' })]);
    expect(entries.map((e) => [e.id, e.word])).toEqual([
      ['a', 'Live'],
      ['b', 'Connecting'],
    ]);
  });

  it('speaks of one, two and N servers in their own words, never "Live" twice', () => {
    expect(liveHeadline(1, 1)).toBe('Live');
    expect(liveHeadline(0, 1)).toBe('Not live yet');
    expect(liveHeadline(2, 2)).toBe('Live on both servers');
    expect(liveHeadline(1, 2)).toBe('Live on 1 of 2 servers');
    expect(liveHeadline(3, 3)).toBe('Live on all 3 servers');
    expect(liveHeadline(0, 3)).toBe('Not live on any server yet');
    expect(reachableHeadline(2, 2)).toBe('Both servers are reachable');
    expect(reachableHeadline(0, 3)).toBe('None of the three servers is reachable');
  });
});
