// Bench load generator, run in its own process (bench/node.ts starts several for one step): N
// concurrent viewers on loopback, either WebSocket-FLV (what Tandem's viewer page uses) or RTMP play
// (the nginx-rtmp reference). Raw sockets, no frame parsing, so the generator stays cheap next to the
// server it measures. A viewer is stalled when it receives nothing for 1 s during the measurement
// window (or never gets going). The generator measures its own event-loop lag: a late check of ours
// would otherwise pass for a server's stall.
// Protocol: argv protocol host port stream count seconds rampPerSecond.
// stdout: {"phase":"ramped",...} once every viewer receives (or the ramp limit passes); then, after
// the line "go" on stdin, the window runs and {"phase":"result",...} follows.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { rtmpPlay } from './node-rtmp-play.js';

const [protocol, host, portText, stream, countText, secondsText, rampText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const windowMs = Number(secondsText) * 1000;
const rampPerSecond = Number(rampText ?? 100);
const STALL_MS = 1000;
/**
 * Each viewer's socket is read at most this often: a server that sends every audio frame on its own
 * (nginx-rtmp, ~43 a second) would otherwise cost the generator a read per frame per viewer, and the
 * generator, not the server, would be what falls behind. Far below STALL_MS, so stalls still show.
 */
const READ_EVERY_MS = 200;
const SMALL_READ_BYTES = 16 * 1024;
const TICK_MS = 100;
/** Joining takes a node one IPC round trip per viewer (its media child adopts each socket): 25 ms each is slow. */
const RAMP_LIMIT_MS = 60_000 + count * 25;
/** The orchestrator's "go" must come within this, or the generator gives up (a crashed bench). */
const GO_LIMIT_MS = 300_000;

interface Viewer { socket: net.Socket; firstAt: number; lastAt: number; stalled: boolean; closed: boolean; bytes: number }
const viewers: Viewer[] = [];

function open(): Viewer {
  const v: Viewer = { socket: null as unknown as net.Socket, firstAt: 0, lastAt: 0, stalled: false, closed: false, bytes: 0 };
  const onData = (n: number) => {
    const now = Date.now();
    if (!v.firstAt) v.firstAt = now;
    v.lastAt = now;
    v.bytes += n;
    // A small read (audio): read again at the next read tick, what arrives meanwhile waits in the
    // kernel and comes in one read. A large one (video) keeps reading: a paused 2.5 Mb/s socket
    // would fill its kernel buffer and hold the server back.
    if (n < SMALL_READ_BYTES) v.socket.pause();
  };
  if (protocol === 'rtmp') {
    v.socket = rtmpPlay({ host: host!, port, app: 'live', stream: stream!, onData, onClose: () => (v.closed = true) });
  } else {
    const s = net.connect({ host, port });
    s.on('connect', () =>
      s.write(
        `GET /live/${stream}.flv HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
      ),
    );
    // Server frames are unmasked and nothing needs answering; counting bytes is enough.
    s.on('data', (d: Buffer) => onData(d.length));
    s.on('close', () => (v.closed = true));
    s.on('error', () => s.destroy());
    v.socket = s;
  }
  viewers.push(v);
  return v;
}

function emit(o: unknown): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Event-loop lag: how late a 100 ms tick fires, its worst and its 99th percentile over a phase. */
class LagMeter {
  private lags: number[] = [];
  private last = Date.now();
  private readonly timer = setInterval(() => {
    const now = Date.now();
    const lag = Math.max(0, now - this.last - TICK_MS);
    this.lags.push(lag);
    this.last = now;
    this.onTick?.(now, lag);
  }, TICK_MS);
  constructor(private readonly onTick?: (now: number, lagMs: number) => void) {}
  stop(): { maxMs: number; p99Ms: number } {
    clearInterval(this.timer);
    const s = this.lags.sort((a, b) => a - b);
    return { maxMs: s.at(-1) ?? 0, p99Ms: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? 0 };
  }
}

function waitGo(): Promise<void> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin });
    const t = setTimeout(() => reject(new Error('no "go" from the bench')), GO_LIMIT_MS);
    rl.on('line', (l) => {
      if (l.trim() !== 'go') return;
      clearTimeout(t);
      rl.close();
      resolve();
    });
  });
}

function resumeReads(): void {
  for (const v of viewers) if (!v.closed && v.socket.isPaused()) v.socket.resume();
}

async function main(): Promise<void> {
  const reads = setInterval(resumeReads, READ_EVERY_MS);
  const rampStart = Date.now();
  const rampLag = new LagMeter();
  // Batches every 50 ms at the requested rate: the node hands each viewer's socket to its media child.
  const batch = Math.max(1, Math.round(rampPerSecond / 20));
  while (viewers.length < count && Date.now() - rampStart < RAMP_LIMIT_MS) {
    for (let i = 0; i < batch && viewers.length < count; i++) open();
    await sleep(50);
  }
  // Measure once every viewer is receiving (or the ramp limit passes: those count as stalled).
  while (Date.now() - rampStart < RAMP_LIMIT_MS && viewers.some((v) => !v.firstAt && !v.closed)) await sleep(100);
  const ramp = rampLag.stop();
  emit({ phase: 'ramped', rampMs: Date.now() - rampStart, receiving: viewers.filter((v) => v.firstAt).length, rampLagMaxMs: ramp.maxMs });
  await waitGo();
  const start = Date.now();
  for (const v of viewers) v.lastAt = Math.max(v.lastAt, start);
  // Timers run before the socket reads of a loop turn: after our loop was held up for lagMs, bytes that
  // arrived meanwhile are not read yet, so that much silence is ours, not the server's.
  const markStalls = (now: number, lagMs = 0) => {
    for (const v of viewers) if (!v.stalled && (v.closed || now - v.lastAt > STALL_MS + lagMs)) v.stalled = true;
  };
  const lag = new LagMeter(markStalls);
  const bytesAtStart = viewers.reduce((a, v) => a + v.bytes, 0);
  await sleep(windowMs);
  const { maxMs, p99Ms } = lag.stop();
  const end = Date.now();
  markStalls(end, Math.max(0, end - start - windowMs));
  const bytes = viewers.reduce((a, v) => a + v.bytes, 0) - bytesAtStart;
  emit({
    phase: 'result',
    viewers: viewers.length,
    stalled: viewers.filter((v) => v.stalled || !v.firstAt).length + (count - viewers.length),
    neverReceived: viewers.filter((v) => !v.firstAt).length,
    closed: viewers.filter((v) => v.closed).length,
    kbpsPerViewer: Math.round((bytes * 8) / (windowMs / 1000) / Math.max(1, viewers.length) / 1000),
    lagMaxMs: maxMs,
    lagP99Ms: p99Ms,
  });
  clearInterval(reads);
  for (const v of viewers) v.socket.destroy();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`load generator: ${String(err)}\n`);
  process.exit(1);
});
