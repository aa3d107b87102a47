// Joins two sockets in both directions (RTMP ingest, relayed WebSocket viewers).
import type net from 'node:net';
import type { Duplex } from 'node:stream';

/** Joins a public socket and its loopback twin; either side ending or failing ends both. */
export function pipeBoth(client: Duplex, upstream: net.Socket): void {
  const destroyBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', destroyBoth);
  upstream.on('error', destroyBoth);
  client.on('close', destroyBoth);
  upstream.on('close', destroyBoth);
}
