// The sentences Go Live answers with: all servers, some (naming those not ready and why), or none;
// one server and one node in the singular.
import { describe, expect, it } from 'vitest';
import { SETUP_FAILED, SETUP_SUCCESS, type SetupStatus } from '../../common/streaming.js';
import { DOING, liveMessage, testMessage, needsControl, needsLive, notLiveMessage, qaFromNodes } from '../../main/presenter/presenter-text.js';

const setup = (results: Array<[string, 'ready' | 'refused' | 'timeout', string]>): SetupStatus => ({
  code: results.every(([, r]) => r === 'ready') ? SETUP_SUCCESS : SETUP_FAILED,
  servers: results.map(([label, result, message]) => ({ id: label, label, result, message, elapsedMs: 5 })),
});

describe('presenter text', () => {
  it('says which servers are reachable (not "live": only a publish proves the key), and which are not and why', () => {
    expect(liveMessage(setup([['A', 'ready', 'ready']]))).toBe('The server is reachable: going live.');
    expect(liveMessage(setup([['A', 'ready', 'ready'], ['B', 'ready', 'ready']]))).toBe('Both servers are reachable: going live.');
    expect(liveMessage(setup([['A', 'ready', 'ready'], ['B', 'ready', 'ready'], ['C', 'ready', 'ready']]))).toBe('All 3 servers are reachable: going live.');
    expect(liveMessage(setup([['A', 'ready', 'ready'], ['B', 'refused', 'connection refused (ECONNREFUSED)'], ['C', 'timeout', 'no answer in 3 s']]))).toBe(
      '1 of 3 servers are reachable: going live. Not reachable: B (connection refused); C (no answer in 3 s). They join by themselves as soon as they answer.',
    );
    expect(testMessage(setup([['A', 'ready', 'ready'], ['B', 'ready', 'ready']]))).toBe('Both servers are reachable. The stream keys are checked when you go live.');
  });

  it('says why the webcast did not go live', () => {
    const s = setup([['A', 'ready', 'ready'], ['B', 'refused', 'connection refused']]);
    expect(notLiveMessage(s, true)).toBe('Not live: every server must be reachable, and these are not: B: connection refused');
    expect(notLiveMessage(setup([['B', 'timeout', 'no answer']]), false)).toBe('Not live: no server is reachable. B: no answer');
  });

  it('completes its sentences with what the presenter tried', () => {
    expect(needsLive(DOING.cues)).toBe('Go live first: you can send cues while live');
    expect(needsControl(DOING.moderate)).toMatch(/so there is no way to moderate questions$/);
    expect(qaFromNodes(1)).toBe('Questions from 1 Tandem node.');
  });
});
