// `npm run bench:qa-merge`: how long the engine merges one node's whole `qa.list` (after every
// control reconnect) and how long that blocks its event loop, which also feeds the RTMP relays.
// Per size (2,000 / 5,000 / 10,000 questions, 20 voter ids each), a scripted node on loopback
// answers a real ControlPlane's qa.list with the pages a node sends (100 questions each); a 5 ms
// timer measures the longest stall of the event loop from connect until the list is merged.
// merge_ms: ControlPlane.mergeList of the same list on a fresh engine, timed alone. One JSON line per size:
// {"bench":"qa-merge","questions":N,"voters_per_question":20,"merge_ms":…,"max_event_loop_block_ms":…}
import { silentLogger } from '../main/engine/base/logger.js';
import { ControlPlane } from '../main/engine/control/control-plane.js';
import { makeQaList, qaListPages, startScriptedNode, watchEventLoop, type QaList } from '../test/support/qa-list-fixture.js';

const VOTERS = 20;
const SIZES = [2_000, 5_000, 10_000];

async function overLoopback(l: QaList): Promise<number> {
  // Built before the clock starts: the scripted node shares this process, its work must not count.
  const node = await startScriptedNode(qaListPages('resync', l).map((p) => JSON.stringify(p)));
  const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  const watch = watchEventLoop();
  try {
    plane.setServers([node.server]);
    await plane.connect(3000);
    const want = l.questions.length * VOTERS;
    const deadline = Date.now() + 300_000;
    while (plane.qaState.voterIdCount !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (plane.qaState.voterIdCount !== want) throw new Error(`list of ${l.questions.length} not merged within the deadline`);
    // Past the engine's 250 ms publish of the public view and the moderation mirror, which count too.
    await new Promise((r) => setTimeout(r, 400));
    return watch.maxBlockMs();
  } finally {
    watch.stop();
    plane.dispose();
    node.close();
  }
}

for (const n of SIZES) {
  const l = makeQaList(n, VOTERS);
  const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
  const t = performance.now();
  plane.mergeList('node-a', l);
  const mergeMs = performance.now() - t;
  plane.dispose();
  const block = await overLoopback(l);
  console.log(JSON.stringify({ bench: 'qa-merge', questions: n, voters_per_question: VOTERS, merge_ms: Math.round(mergeMs), max_event_loop_block_ms: Math.round(block) }));
}
