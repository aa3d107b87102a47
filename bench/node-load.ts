// Bench load generator, run in its own process: N concurrent viewers on loopback, either WebSocket-FLV
// (what Tandem's viewer page uses) or RTMP play (the nginx-rtmp reference). Raw sockets, no frame
// parsing, so the generator stays cheap next to the server it measures. A viewer is stalled when it
// receives nothing for 1 s during the measurement window (or never gets going).
// Protocol on stdout: one JSON line {"phase":"window-start"} then one {"phase":"result",...}.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { rtmpPlay } from './node-rtmp-play.js';

const [protocol, host, portText, stream, countText, secondsText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const windowMs = Number(secondsText) * 1000;
const STALL_MS = 1000;
const RAMP_BATCH = 10;
const RAMP_EVERY_MS = 100;
const RAMP_LIMIT_MS = 60_000;

interface Viewer { socket: net.Socket; firstAt: number; lastAt: number; stalled: boolean; closed: boolean; bytes: number }
const viewers: Viewer[] = [];

function open(): Viewer {
  const v: Viewer = { socket: null as unknown as net.Socket, firstAt: 0, lastAt: 0, stalled: false, closed: false, bytes: 0 };
  const onData = (n: number) => {
    const now = Date.now();
    if (!v.firstAt) v.firstAt = now;
    v.lastAt = now;
    v.bytes += n;
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

async function main(): Promise<void> {
  const rampStart = Date.now();
  while (viewers.length < count) {
    for (let i = 0; i < RAMP_BATCH && viewers.length < count; i++) open();
    await new Promise((r) => setTimeout(r, RAMP_EVERY_MS));
  }
  // Start measuring once every viewer is receiving (or the ramp limit passes).
  while (Date.now() - rampStart < RAMP_LIMIT_MS && viewers.some((v) => !v.firstAt && !v.closed)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const start = Date.now();
  for (const v of viewers) v.lastAt = Math.max(v.lastAt, start);
  emit({ phase: 'window-start', rampMs: start - rampStart, receiving: viewers.filter((v) => v.firstAt).length });
  let maxLagMs = 0;
  let lastTick = Date.now();
  const check = setInterval(() => {
    const now = Date.now();
    maxLagMs = Math.max(maxLagMs, now - lastTick - 100);
    lastTick = now;
    for (const v of viewers) if (!v.stalled && (v.closed || now - v.lastAt > STALL_MS)) v.stalled = true;
  }, 100);
  const bytesAtStart = viewers.reduce((a, v) => a + v.bytes, 0);
  await new Promise((r) => setTimeout(r, windowMs));
  clearInterval(check);
  const now = Date.now();
  for (const v of viewers) if (!v.stalled && (v.closed || now - v.lastAt > STALL_MS)) v.stalled = true;
  const bytes = viewers.reduce((a, v) => a + v.bytes, 0) - bytesAtStart;
  emit({
    phase: 'result',
    viewers: count,
    stalled: viewers.filter((v) => v.stalled || !v.firstAt).length,
    neverReceived: viewers.filter((v) => !v.firstAt).length,
    closed: viewers.filter((v) => v.closed).length,
    kbpsPerViewer: Math.round((bytes * 8) / (windowMs / 1000) / count / 1000),
    loadgenMaxLagMs: maxLagMs,
  });
  for (const v of viewers) v.socket.destroy();
  process.exit(0);
}

void main();
