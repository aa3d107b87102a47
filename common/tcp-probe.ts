// TCP reachability: does something accept a connection on host:port? The one probe the node (its
// media core and media child), the engine and the demo launcher use. NODE ONLY (node:net): never
// import it from renderer/ or the viewer page, which bundle other files of common/.
import net from 'node:net';

/**
 * True when host:port accepts a TCP connection within timeoutMs; false when it refuses, fails or
 * stays silent. The connection is closed at once: nothing is sent.
 */
export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    // A host that drops the SYN never answers: the deadline decides.
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Waits until host:port accepts TCP, trying every intervalMs, for at most timeoutMs in all (and so
 * a bounded number of attempts). True once it does, false when the time is up.
 */
export async function waitConnectable(host: string, port: number, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const maxAttempts = Math.ceil(timeoutMs / Math.max(1, intervalMs)) + 1;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    if (await canConnect(host, port, Math.min(left, 1000))) return true;
    const wait = Math.min(intervalMs, deadline - Date.now());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return false;
}
