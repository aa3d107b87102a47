// The engine's control session puts a paged qa.list together before anyone merges it: pages in
// order make one list, a page out of order or a list past the byte cap drops that list and the
// session asks for it once more, and a one-message list (an older node) passes as it is. Against a scripted WebSocket peer on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { NodeToClient } from '../../common/control-protocol.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlSession } from '../../main/engine/control/control-session.js';

type QaList = Extract<NodeToClient, { type: 'qa.list' }>;
const question = (n: number) => ({ id: `question-${n}`, text: `q${n}`, askedAt: n, votes: 0 });

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup) f();
  cleanup = [];
});

/**
 * A peer that welcomes the session and answers its n-th qa.list with answers[n] (nothing once they
 * run out). Returns the lists the session handed over and the ids of the qa.list requests it sent.
 */
async function session(answers: NodeToClient[][], o: { maxListBytes?: number; waitMs?: number } = {}): Promise<{ lists: QaList[]; requests: string[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const requests: string[] = [];
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; id?: string };
      if (m.type === 'hello') ws.send(JSON.stringify({ type: 'welcome', v: 1, role: 'presenter', nodeId: 'n1' }));
      if (m.type === 'qa.list') for (const f of answers[requests.push(m.id ?? '') - 1] ?? []) ws.send(JSON.stringify(f));
    });
  });
  const { port } = wss.address() as { port: number };
  const s = new ControlSession({
    id: 'n1',
    url: `ws://127.0.0.1:${port}/control`,
    token: 't'.repeat(20),
    logger: silentLogger,
    resync: () => [{ type: 'qa.list', id: 'r' }],
    listRetryMs: 100,
    ...(o.maxListBytes ? { maxListBytes: o.maxListBytes } : {}),
  });
  cleanup.push(() => s.dispose(), () => wss.close());
  const lists: QaList[] = [];
  s.onMessage((m) => {
    if (m.type === 'qa.list') lists.push(m);
  });
  s.start();
  expect(await s.waitConnected(2000)).toBe(true);
  // Every frame is on loopback: a short wait is enough (past the 100 ms retry), and bounded.
  await new Promise((r) => setTimeout(r, o.waitMs ?? 400));
  return { lists, requests };
}

describe('control session qa.list pages', () => {
  it('assembles pages in order into one list, voter ids of one question across pages included', async () => {
    const { lists, requests } = await session([[
      { type: 'qa.list', id: 'r', questions: [question(1)], votes: {}, voters: { 'question-1': ['voter-0001'] }, part: 0, last: false },
      { type: 'qa.list', id: 'r', questions: [question(2)], votes: { 'question-1': 2 }, voters: { 'question-1': ['voter-0002'] }, part: 1, last: true },
    ]]);
    expect(requests).toEqual(['r']);
    expect(lists).toEqual([
      { type: 'qa.list', id: 'r', questions: [question(1), question(2)], votes: { 'question-1': 2 }, voters: { 'question-1': ['voter-0001', 'voter-0002'] } },
    ]);
  });

  it('drops a list with a page out of order and takes the next whole one', async () => {
    const { lists, requests } = await session([[
      { type: 'qa.list', id: 'r', questions: [question(1)], votes: {}, part: 0, last: false },
      { type: 'qa.list', id: 'r', questions: [question(3)], votes: {}, part: 2, last: true },
      { type: 'qa.list', id: 'r', questions: [question(4)], votes: {}, part: 1, last: true },
      { type: 'qa.list', id: 'r', questions: [question(5)], votes: {}, part: 0, last: true },
    ]]);
    expect(lists.map((l) => l.questions.map((q) => q.id))).toEqual([['question-5']]);
    // The whole list that followed made the retry unnecessary.
    expect(requests).toEqual(['r']);
  });

  it('asks once more for a list dropped for a page out of order, and takes that one', async () => {
    const { lists, requests } = await session([
      [
        { type: 'qa.list', id: 'r', questions: [question(1)], votes: {}, part: 0, last: false },
        { type: 'qa.list', id: 'r', questions: [question(3)], votes: {}, part: 2, last: false },
        { type: 'qa.list', id: 'r', questions: [question(4)], votes: {}, part: 3, last: true },
      ],
      [
        { type: 'qa.list', id: 'retry', questions: [question(1)], votes: {}, part: 0, last: false },
        { type: 'qa.list', id: 'retry', questions: [question(2)], votes: {}, part: 1, last: true },
      ],
    ]);
    expect(requests).toEqual(['r', 'retry']);
    expect(lists.map((l) => l.questions.map((q) => q.id))).toEqual([['question-1', 'question-2']]);
  });

  it('drops a list over the byte cap, asks again once only, and takes a list within it', async () => {
    const voters = (n: number) => ({ [`question-${n}`]: Array.from({ length: 40 }, (_, k) => `voter-${n}-${String(k).padStart(6, '0')}`) });
    const big = (id: string) =>
      Array.from({ length: 4 }, (_, part): NodeToClient => ({ type: 'qa.list', id, questions: [question(part)], votes: {}, voters: voters(part), part, last: part === 3 }));
    // Four pages of ~1 KiB each against a 2 KiB cap: dropped at the third page, twice.
    const twice = await session([big('r'), big('retry'), [{ type: 'qa.list', id: 'x', questions: [question(9)], votes: {}, part: 0, last: true }]], { maxListBytes: 2048 });
    expect(twice.lists).toEqual([]);
    expect(twice.requests).toEqual(['r', 'retry']);
    const small = await session([big('r'), [{ type: 'qa.list', id: 'retry', questions: [question(9)], votes: {}, part: 0, last: true }]], { maxListBytes: 2048 });
    expect(small.requests).toEqual(['r', 'retry']);
    expect(small.lists.map((l) => l.questions.map((q) => q.id))).toEqual([['question-9']]);
  });

  it('passes a one-message list (a node without pages) as it is', async () => {
    const { lists } = await session([[{ type: 'qa.list', id: 'r', questions: [question(1)], votes: { 'question-1': 1 } }]]);
    expect(lists).toEqual([{ type: 'qa.list', id: 'r', questions: [question(1)], votes: { 'question-1': 1 } }]);
  });
});
