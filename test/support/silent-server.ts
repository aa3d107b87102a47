// A loopback TCP listener that accepts connections and never sends a byte: the
// "host answers TCP but nothing behind it speaks" case (a hung server, a
// half-dead proxy). It tracks its sockets so tests can see that clients hung up.
import net from 'node:net';
import { freePort } from './ports.js';

export interface SilentServer {
  port: number;
  /** rtmp://127.0.0.1:<port>/<app>[/<name>] */
  url(app?: string, name?: string): string;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections still open (the client has not closed). */
  open(): number;
  /** Bytes received from all clients (they keep talking; we never answer). */
  bytesReceived(): number;
  close(): Promise<void>;
}

export async function startSilentServer(opts: { port?: number } = {}): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let bytes = 0;
  const server = net.createServer((s) => {
    accepted += 1;
    sockets.add(s);
    s.on('data', (d) => {
      bytes += d.length;
    });
    // A client reset is its business; the listener must not crash over it.
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  // A test port, not the kernel's: tests close it and expect it to refuse, or listen on it again.
  const wanted = opts.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (typeof addr !== 'object' || addr === null) throw new Error('silent server has no address');
  const port = addr.port;
  return {
    port,
    url: (app = 'live', name?: string) => `rtmp://127.0.0.1:${port}/${app}${name === undefined ? '' : `/${name}`}`,
    accepted: () => accepted,
    open: () => sockets.size,
    bytesReceived: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
