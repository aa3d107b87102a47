// Test support: when a server accepts RTMP, by the engine's own setup probe (TCP, the RTMP handshake
// and connect(app) answered), not merely an open port: for timing a killed node's return.
import { probeRtmp } from '../../main/engine/rtmp/rtmp-probe.js';
import { waitFor } from './wait-for.js';

export async function acceptsRtmp(port: number, timeoutMs = 1000): Promise<boolean> {
  return (await probeRtmp(`rtmp://127.0.0.1:${port}/live`, { timeoutMs })).result === 'ready';
}

/** Epoch ms at which 127.0.0.1:port first accepts RTMP (polled every 20 ms); rejects after timeoutMs. */
export function rtmpAcceptedAt(port: number, timeoutMs: number): Promise<number> {
  return waitFor(async () => ((await acceptsRtmp(port)) ? Date.now() : null), { timeoutMs, intervalMs: 20, what: `RTMP accepted on 127.0.0.1:${port}` });
}
