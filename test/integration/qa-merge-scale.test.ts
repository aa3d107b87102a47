// Runs with the integration tests (one file at a time): a stall bound means nothing while other
// test files load the same two cores in parallel workers.
// Merging a node's whole qa.list must not block the engine's event loop (the same loop feeds the
// RTMP relays): a real ControlPlane gets 10,000 questions with 20 voter ids each as paged qa.list
// from a scripted node on loopback, and the longest stall of its event loop stays under 500 ms
// (measured on the 2-core CI machine: about 200 ms; copying the state per question and per vote
// took about 70 s). The same for a burst of live votes (one state copy per vote took seconds), and
// the pure merge of one list, timed alone.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeNodeList } from '../../main/engine/control/qa/qa-draft.js';
import { emptyQa } from '../../main/engine/control/qa/qa-state.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';
import { busyMs, makeQaList, qaListPages, qidOf, startScriptedNode, watchEventLoop } from '../support/qa-list-fixture.js';
import { waitFor } from '../support/wait-for.js';

const QUESTIONS = 10_000;
const VOTERS = 20;
const BOUND_MS = 500;

const resyncFrames = () => qaListPages('resync', makeQaList(QUESTIONS, VOTERS)).map((p) => JSON.stringify(p));

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup) f();
  cleanup = [];
});

describe('merging a whole qa.list', () => {
  it(`keeps the engine's event loop free: ${QUESTIONS} questions × ${VOTERS} voters from a node, no stall over ${BOUND_MS} ms`, async () => {
    // Built before the clock starts: the scripted node shares this process, its work must not count.
    const node = await startScriptedNode(resyncFrames());
    const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
    cleanup.push(() => plane.dispose(), () => node.close());
    // The longest gap between ticks of a 5 ms timer while the list arrives and merges.
    const watch = watchEventLoop();
    cleanup.push(() => watch.stop());

    plane.setServers([node.server]);
    expect((await plane.connect(3000)).get('node-a')?.state).toBe('connected');
    const merged = () => plane.qaState.voterIdCount === QUESTIONS * VOTERS;
    await waitFor(merged, { timeoutMs: 30_000, intervalMs: 20, what: 'the whole list merged' }).catch(() => {});
    expect(plane.qaState.voterIdCount).toBe(QUESTIONS * VOTERS);
    expect(Object.keys(plane.qaState.questions)).toHaveLength(QUESTIONS);
    expect(plane.qaState.questions[qidOf(QUESTIONS - 1)]!.votes).toBe(VOTERS);
    // Part of the measured window: past the engine's 250 ms publish of the public view and the
    // moderation mirror, which count too (nothing outside the engine marks their end).
    await new Promise((r) => setTimeout(r, 400));
    expect(watch.maxBlockMs(), `longest wall-clock gap ${Math.round(watch.maxGapMs())} ms, CPU-busy ${Math.round(watch.maxBlockMs())} ms`).toBeLessThan(BOUND_MS);
  }, 60_000);

  it('takes a burst of 2,000 live votes on a 10,000-question session without a stall over 500 ms', async () => {
    // The list first (paged), then each vote as the node forwards it, all at once.
    const node = await startScriptedNode(resyncFrames());
    const votes = Array.from({ length: 2000 }, (_, i) =>
      JSON.stringify({ type: 'qa.votes', questionId: qidOf(i % 500), votes: 1 + Math.floor(i / 500), voterId: `voter-live-${String(i).padStart(6, '0')}` }),
    );
    const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
    cleanup.push(() => plane.dispose(), () => node.close());
    plane.setServers([node.server]);
    expect((await plane.connect(3000)).get('node-a')?.state).toBe('connected');
    const merged = () => plane.qaState.voterIdCount === QUESTIONS * VOTERS;
    await waitFor(merged, { timeoutMs: 30_000, intervalMs: 20, what: 'the whole list merged' }).catch(() => {});
    expect(plane.qaState.voterIdCount).toBe(QUESTIONS * VOTERS);
    await new Promise((r) => setTimeout(r, 400)); // past the list's own publish, so its work is not measured below

    const watch = watchEventLoop();
    cleanup.push(() => watch.stop());
    for (const v of votes) node.socket()!.send(v);
    // Every vote applied: the node's latest count for each of the 500 questions (its count replaces
    // the earlier one; the engine keeps no more voter ids past its 200,000, so counts carry them).
    const applied = () => Array.from({ length: 500 }, (_, i) => plane.qaState.questions[qidOf(i)]!.votesByNode['node-a']).every((n) => n === 4);
    await waitFor(applied, { timeoutMs: 20_000, intervalMs: 20, what: 'every vote applied' }).catch(() => {});
    expect(applied()).toBe(true);
    await new Promise((r) => setTimeout(r, 400)); // part of the measured window: the votes' publish
    expect(watch.maxBlockMs(), `longest wall-clock gap ${Math.round(watch.maxGapMs())} ms, CPU-busy ${Math.round(watch.maxBlockMs())} ms`).toBeLessThan(BOUND_MS);
  }, 60_000);

  it('merges one list in linear time, and the same list again changes nothing', () => {
    const l = makeQaList(QUESTIONS, VOTERS);
    // Its own time on the CPU: on a machine other processes keep busy, wall-clock time counts their turns too.
    const { value: s, ms, wallMs } = busyMs(() => mergeNodeList(emptyQa(), 'node-a', l));
    expect(Object.keys(s.questions)).toHaveLength(QUESTIONS);
    expect(s.voterIdCount).toBe(QUESTIONS * VOTERS);
    expect(ms, `${Math.round(wallMs)} ms wall-clock`).toBeLessThan(BOUND_MS);
    expect(mergeNodeList(s, 'node-a', l)).toBe(s);
    // Another node with the same voters: no voter counted twice.
    const both = mergeNodeList(s, 'node-b', l);
    expect(both.questions[qidOf(7)]!.votes).toBe(VOTERS);
    expect({ ...both.questions[qidOf(7)]!.votesByNode }).toEqual({ 'node-a': VOTERS, 'node-b': VOTERS });
  });
});
