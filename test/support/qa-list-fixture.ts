// Test and bench support for big Q&A sessions: a node's whole question list (every question with
// `voters` voter ids), the pages a node sends it in, a scripted node on loopback that answers a
// presenter session with them, and a watch on the event loop's longest stall.
import fs from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import type { NodeQuestion, NodeToClient } from '../../common/control-protocol.js';
import { freePort } from './ports.js';

export type QaListPage = Extract<NodeToClient, { type: 'qa.list' }>;

export interface QaList {
  questions: NodeQuestion[];
  votes: Record<string, number>;
  voters: Record<string, string[]>;
}

export const qidOf = (i: number): string => `question-${String(i).padStart(6, '0')}`;

export function makeQaList(n: number, voters: number): QaList {
  const l: QaList = { questions: [], votes: {}, voters: {} };
  for (let i = 0; i < n; i++) {
    const id = qidOf(i);
    l.questions.push({ id, text: `Question ${i}: what about the roadmap?`, askedAt: 1_000_000 + i, votes: voters });
    l.votes[id] = voters;
    l.voters[id] = Array.from({ length: voters }, (_, k) => `voter-${String(k).padStart(4, '0')}-${String(i).padStart(6, '0')}`);
  }
  return l;
}

/** The list as a node pages it: `perPage` questions with their votes and voter ids per page. */
export function qaListPages(id: string, l: QaList, perPage = 100): QaListPage[] {
  const out: QaListPage[] = [];
  for (let start = 0; start < l.questions.length; start += perPage) {
    const qs = l.questions.slice(start, start + perPage);
    out.push({
      type: 'qa.list',
      id,
      questions: qs,
      votes: Object.fromEntries(qs.map((q) => [q.id, l.votes[q.id]!])),
      voters: Object.fromEntries(qs.map((q) => [q.id, l.voters[q.id]!])),
      part: out.length,
      last: start + perPage >= l.questions.length,
    });
  }
  return out;
}

export interface ScriptedNode {
  /** The engine's server entry for it. */
  server: { id: string; url: string; controlUrl: string; controlToken: string };
  /** The presenter session's socket, once connected. */
  socket(): WebSocket | null;
  close(): void;
}

/**
 * A node on loopback that welcomes a presenter and answers its `qa.list` request ("resync", the
 * engine's after every connect) with `frames`, already serialised so building them costs nothing here.
 */
export async function startScriptedNode(frames: string[], nodeId = 'node-a'): Promise<ScriptedNode> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: await freePort() });
  await new Promise((r) => wss.once('listening', r));
  let socket: WebSocket | null = null;
  wss.on('connection', (ws: WebSocket) => {
    socket = ws;
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; id?: string };
      if (m.type === 'hello') ws.send(JSON.stringify({ type: 'welcome', v: 1, role: 'presenter', nodeId }));
      if (m.type === 'qa.list' && m.id === 'resync') for (const f of frames) ws.send(f);
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    server: { id: nodeId, url: 'rtmp://127.0.0.1/live/x', controlUrl: `ws://127.0.0.1:${port}/control`, controlToken: 't'.repeat(24) },
    socket: () => socket,
    close: () => wss.close(),
  };
}

/** CPU time (ms) this process's main thread has run (Linux /proc, 10 ms steps), or null elsewhere. */
function mainThreadCpuMs(): number | null {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name: state is field 3, utime and stime are fields 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}
const CLOCK_TICKS_PER_S = 100; // USER_HZ, 100 on every Linux architecture Node runs on

/**
 * Runs fn (synchronous) and says how long it kept this thread busy: the wall-clock time capped by
 * the CPU time the main thread used (+10 ms for the CPU clock's steps), so time spent waiting for a
 * core that other processes hold is not charged to fn. wallMs is the plain wall-clock time.
 */
export function busyMs<T>(fn: () => T): { value: T; ms: number; wallMs: number } {
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const cpu1 = mainThreadCpuMs();
  return { value, ms: cpu0 === null || cpu1 === null ? wallMs : Math.min(wallMs, cpu1 - cpu0 + 10), wallMs };
}

/**
 * The event loop's longest block since the watch started: the longest gap between ticks of a 5 ms
 * timer during which the main thread was running, i.e. the gap capped by the CPU time the thread
 * used in it. On a machine whose other processes keep the CPU busy, a wall-clock gap also counts
 * the time the thread was waiting for a core, which says nothing about the code; maxGapMs is that
 * wall-clock gap, for reports.
 */
export function watchEventLoop(): { maxBlockMs(): number; maxGapMs(): number; stop(): void } {
  let maxBlock = 0;
  let maxGap = 0;
  let last = performance.now();
  let lastCpu = mainThreadCpuMs();
  const ticker = setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    const gap = now - last;
    // The CPU clock moves in 10 ms steps: a gap is never counted as less than 10 ms shorter than it ran.
    const ran = cpu === null || lastCpu === null ? gap : Math.min(gap, cpu - lastCpu + 10);
    maxGap = Math.max(maxGap, gap);
    maxBlock = Math.max(maxBlock, ran);
    last = now;
    lastCpu = cpu;
  }, 5);
  return { maxBlockMs: () => maxBlock, maxGapMs: () => maxGap, stop: () => clearInterval(ticker) };
}
