// `npm run bench:qa-merge`: how long the engine merges one node's whole `qa.list` (after every
// control reconnect) and how long that blocks its event loop, which also feeds the RTMP relays.
// Per size (2,000 / 5,000 / 10,000 questions, 20 voter ids each), a scripted node on loopback
// answers a real ControlPlane's qa.list with the pages a node sends (100 questions each); a 5 ms
// timer measures the longest stall of the event loop from connect until the list is merged.
// merge_ms: ControlPlane.mergeList of the same list on a fresh engine, timed alone. One JSON line per size:
// {"bench":"qa-merge","questions":N,"voters_per_question":20,"merge_ms":…,"max_event_loop_block_ms":…}
import { WebSocketServer, type WebSocket } from 'ws';
import type { NodeQuestion, NodeToClient } from '../common/control-protocol.js';
import { silentLogger } from '../main/engine/base/logger.js';
import { ControlPlane } from '../main/engine/control/control-plane.js';

const VOTERS = 20;
const SIZES = [2_000, 5_000, 10_000];
const PAGE_QUESTIONS = 100;

type QaList = Extract<NodeToClient, { type: 'qa.list' }>;
interface List {
  questions: NodeQuestion[];
  votes: Record<string, number>;
  voters: Record<string, string[]>;
}

function makeList(n: number): List {
  const l: List = { questions: [], votes: {}, voters: {} };
  for (let i = 0; i < n; i++) {
    const id = `question-${String(i).padStart(6, '0')}`;
    l.questions.push({ id, text: `Question ${i}: what about the roadmap?`, askedAt: 1_000_000 + i, votes: VOTERS });
    l.votes[id] = VOTERS;
    l.voters[id] = Array.from({ length: VOTERS }, (_, k) => `voter-${String(k).padStart(4, '0')}-${String(i).padStart(6, '0')}`);
  }
  return l;
}

function pages(id: string, l: List): string[] {
  const out: string[] = [];
  for (let start = 0; start < l.questions.length; start += PAGE_QUESTIONS) {
    const qs = l.questions.slice(start, start + PAGE_QUESTIONS);
    const page: QaList = {
      type: 'qa.list',
      id,
      questions: qs,
      votes: Object.fromEntries(qs.map((q) => [q.id, l.votes[q.id]!])),
      voters: Object.fromEntries(qs.map((q) => [q.id, l.voters[q.id]!])),
      part: out.length,
      last: start + PAGE_QUESTIONS >= l.questions.length,
    };
    out.push(JSON.stringify(page));
  }
  return out;
}

async function overLoopback(l: List): Promise<number> {
  // Built before the clock starts: the scripted node shares this process, its work must not count.
  const frames = pages('resync', l);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; id?: string };
      if (m.type === 'hello') ws.send(JSON.stringify({ type: 'welcome', v: 1, role: 'presenter', nodeId: 'node-a' }));
      if (m.type === 'qa.list' && m.id === 'resync') for (const f of frames) ws.send(f);
    });
  });
  const { port } = wss.address() as { port: number };
  const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  let maxBlock = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    maxBlock = Math.max(maxBlock, now - last);
    last = now;
  }, 5);
  try {
    plane.setServers([{ id: 'node-a', url: 'rtmp://127.0.0.1/live/x', controlUrl: `ws://127.0.0.1:${port}/control`, controlToken: 't'.repeat(24) }]);
    await plane.connect(3000);
    const want = l.questions.length * VOTERS;
    const deadline = Date.now() + 300_000;
    while (plane.qaState.voterIdCount !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (plane.qaState.voterIdCount !== want) throw new Error(`list of ${l.questions.length} not merged within the deadline`);
    // Past the engine's 250 ms publish of the public view and the moderation mirror, which count too.
    await new Promise((r) => setTimeout(r, 400));
    return maxBlock;
  } finally {
    clearInterval(ticker);
    plane.dispose();
    wss.close();
  }
}

for (const n of SIZES) {
  const l = makeList(n);
  const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  const t = performance.now();
  plane.mergeList('node-a', l);
  const mergeMs = performance.now() - t;
  plane.dispose();
  const block = await overLoopback(l);
  console.log(JSON.stringify({ bench: 'qa-merge', questions: n, voters_per_question: VOTERS, merge_ms: Math.round(mergeMs), max_event_loop_block_ms: Math.round(block) }));
}
