// Acceptance for Q&A across real nodes at session scale: a voter who votes on node A, fails over
// and votes again on node B counts once in the engine's merged list (two voters count twice), also
// when the votes come back through the nodes' paged qa.list; and the moderation of 2,000 questions
// is mirrored on the nodes and taken back by a restarted engine.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QA_MODERATION_OBJECT, QA_OBJECT, moderationBucketIndex, type PublicQuestion, type QuestionStatus } from '../../common/qa.js';
import { parseModerationBucket, parseModerationRecord } from '../../main/engine/control/qa/qa-moderation.js';
import { MultiConnection } from '../../main/engine/multi-connection.js';
import { openControl, qid, voterFor, type ControlClient } from '../support/control-client.js';
import { startControlCluster, type ControlNode } from '../support/control-cluster.js';
import { waitFor } from '../support/node-process.js';

/** A voter id every node of the cluster accepts (they share one publish secret). */
const vid = (name: string) => voterFor(nodes[0]!.node.secret, name);

const SEEDED = 2000;
const seedId = (i: number) => `seed-${String(i).padStart(6, '0')}`;
/** Node A holds questions 0–1199 and node B 800–1999: 400 of them reached both (failover re-sends). */
const onNode = (index: number, i: number) => (index === 0 && i < 1200) || (index === 1 && i >= 800);
/** One question both nodes hold, with 1,000 voters on each, 500 of them the same. */
const POPULAR = seedId(1000);
const popularVoters = (index: number) => Array.from({ length: 1000 }, (_, k) => `voter-popular-${String(index * 500 + k).padStart(5, '0')}`);
const expectedStatus = (i: number): QuestionStatus => (i % 3 === 0 ? 'dismissed' : i % 3 === 1 ? 'answered' : 'approved');

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
let nodes: ControlNode[];
let mc: MultiConnection;
const clients: ControlClient[] = [];
const open = async (n: ControlNode, o: Parameters<typeof openControl>[1] = {}) => {
  const c = await openControl(n.node.base, o);
  clients.push(c);
  return c;
};
const find = (id: string) => mc.control.questions.find((q) => q.id === id);

beforeAll(async () => {
  cluster = await startControlCluster(3, {
    // The node's own log format, replayed on start: 2,000 questions without 2,000 rate-limited viewers.
    prepare: (dir, index) => {
      const lines: string[] = [];
      for (let i = 0; i < SEEDED; i++) {
        if (onNode(index, i)) lines.push(JSON.stringify({ t: 'q', q: { id: seedId(i), text: `Seeded question ${i}: what about ${'x'.repeat(i % 200)}?`, askedAt: 1_000_000 + i, votes: 0 } }));
      }
      if (index < 2) for (const v of popularVoters(index)) lines.push(JSON.stringify({ t: 'v', q: POPULAR, v }));
      if (lines.length > 0) appendFileSync(path.join(dir, 'questions.jsonl'), lines.join('\n') + '\n');
    },
  });
  nodes = cluster.nodes;
  mc = new MultiConnection({ control: { statsEveryMs: 0 } });
  await mc.connect(nodes.map((n) => n.server));
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await mc?.stop();
  await cluster?.stop();
});

describe('Q&A at session scale across three nodes', () => {
  it('merges 2,000 questions from the nodes\' paged lists and counts the voters they share once', async () => {
    await waitFor(() => mc.control.questions.length === SEEDED && find(POPULAR)?.votes === 1500, 10_000, '2,000 questions and the popular votes merged');
    // Per node, the figures stay what each node counted (the export shows them); the total is distinct voters.
    expect(find(POPULAR)!.votesByNode).toEqual({ 'node-a': 1000, 'node-b': 1000 });
    expect(find(seedId(900))!.nodes.sort()).toEqual(['node-a', 'node-b']);
  });

  it('counts the same voter voting on A and again on B once, and two different voters twice', async () => {
    const [a, b, c] = await Promise.all(nodes.map((n) => open(n)));
    const id = qid('voters-1');
    a!.send({ type: 'qa.ask', id, text: 'Does my vote count twice after a failover?' });
    await waitFor(() => find(id), 3000, 'question on the engine');
    // B knows the question only from the published view.
    await b!.next('so.sync', (m) => m.name === QA_OBJECT && JSON.stringify(m.slots.questions?.value ?? []).includes(id));

    a!.send({ type: 'qa.vote', questionId: id, voterId: vid('voter-same-0001') });
    await waitFor(() => find(id)?.votesByNode['node-a'] === 1, 3000, 'A to count the vote');
    // The viewer failed over to B and voted again with the same voter id (its page keeps it).
    b!.send({ type: 'qa.vote', questionId: id, voterId: vid('voter-same-0001') });
    await waitFor(() => find(id)?.votesByNode['node-b'] === 1, 3000, 'B to count the vote');
    expect(find(id)!.votes).toBe(1);

    b!.send({ type: 'qa.vote', questionId: id, voterId: vid('voter-other-0001') });
    await waitFor(() => find(id)?.votesByNode['node-b'] === 2, 3000, 'B to count the second voter');
    expect(find(id)!.votes).toBe(2);

    // Viewers see the merged total, in the view's usual shape, and never a voter id.
    const seen = await c!.next('so.sync', (m) => m.name === QA_OBJECT && (m.slots.questions?.value as unknown as PublicQuestion[] | undefined)?.some((q) => q.id === id && q.votes === 2) === true);
    const shown = (seen.slots.questions!.value as unknown as PublicQuestion[]).find((q) => q.id === id)!;
    expect(Object.keys(shown).sort()).toEqual(['answered', 'id', 'pinned', 'text', 'votes']);
    for (const v of [a!, b!, c!]) expect(JSON.stringify(v.messages)).not.toContain('voter-same-0001');
  });

  it('mirrors the moderation of 2,000 questions on the nodes, and a restarted engine takes it all back', async () => {
    for (let i = 0; i < SEEDED; i++) {
      const s = expectedStatus(i);
      if (s !== 'approved') mc.control.moderate({ action: s === 'dismissed' ? 'dismiss' : 'answer', questionId: seedId(i) });
    }
    mc.control.moderate({ action: 'pin', questionId: seedId(2) });
    mc.control.moderate({ action: 'pre-moderation', on: true });

    // What a node holds: a fresh presenter connection gets every object at hello.
    const mirrored = async () => {
      const w = await openControl(nodes[2]!.node.base, { role: 'presenter', token: nodes[2]!.token });
      try {
        await w.next('welcome');
        // The node sends every object right after welcome, before it reads our next message: the
        // answer to a call made now arrives after the last of them.
        w.send({ type: 'call', id: 'after-hello', method: 'getStats', args: [] });
        await w.next('call.result', (m) => m.id === 'after-hello', 10_000);
        const statuses: Record<string, QuestionStatus> = {};
        let flags = null;
        for (const m of w.messages) {
          if (m.type !== 'so.sync') continue;
          const values = Object.fromEntries(Object.entries(m.slots).map(([k, v]) => [k, v.value]));
          if (m.name === QA_MODERATION_OBJECT) flags = parseModerationRecord(values);
          else if (moderationBucketIndex(m.name) !== null) Object.assign(statuses, parseModerationBucket(values));
        }
        return { flags, statuses };
      } finally {
        w.close();
      }
    };
    const complete = (r: Awaited<ReturnType<typeof mirrored>>) =>
      r.flags?.preModeration === true && r.flags.pinnedId === seedId(2) && Array.from({ length: SEEDED }, (_, i) => i).every((i) => r.statuses[seedId(i)] === expectedStatus(i));
    await waitFor(async () => complete(await mirrored()), 10_000, 'the moderation of every question mirrored on node C', 200);

    const count = mc.control.questions.length;
    await mc.stop();
    mc = new MultiConnection({ control: { statsEveryMs: 0 } });
    await mc.connect(nodes.map((n) => n.server));
    await waitFor(
      () => mc.control.questions.length === count && find(POPULAR)?.votes === 1500 && find(qid('voters-1'))?.votes === 2,
      10_000,
      'questions and votes merged again',
    );
    const wrong = Array.from({ length: SEEDED }, (_, i) => i).filter((i) => find(seedId(i))?.status !== expectedStatus(i));
    expect(wrong).toEqual([]);
    expect(find(qid('voters-1'))!.status).toBe('approved');
    expect(mc.control.qaState.pinnedId).toBe(seedId(2));
    expect(mc.control.qaState.preModeration).toBe(true);
    // And the restarted engine keeps mirroring: one more decision reaches the nodes.
    mc.control.moderate({ action: 'dismiss', questionId: seedId(2) });
    await waitFor(async () => (await mirrored()).statuses[seedId(2)] === 'dismissed', 5000, 'a decision after the restart mirrored');
  });
});
