// Loopback helpers for the node's internal wiring: pick a free port (whether a port answers is
// common/tcp-probe.ts's canConnect).
import net from 'node:net';

/** A port the kernel just handed out on 127.0.0.1; a racer can still take it, so callers retry. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
