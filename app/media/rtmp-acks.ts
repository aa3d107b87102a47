// RTMP Acknowledgements to publishers. node-media-server 4.4.3 keeps the window a publisher asks for
// (Window Acknowledgement Size, stored as `rtmp.ackSize`) but never acknowledges, as nginx-rtmp, SRS
// and every CDN do. Publishers read the acknowledgements to know how far behind the server reads:
// Tandem's engine bounds what is in flight with them and its uplink controller sees a short upload
// within a window instead of once the kernel's send buffer (seconds of media) has filled.
import type { NmsSession } from './nms-bridge.js';

interface ReadableSocket {
  on(event: 'data', listener: () => void): unknown;
  write(data: Buffer): unknown;
  destroyed?: boolean;
}

/** The Acknowledgement message (type 3) on the protocol control chunk stream (2), one whole chunk. */
export function acknowledgement(sequence: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x02; // fmt 0, csid 2
  b.writeUIntBE(4, 4, 3); // timestamp 0 (bytes 1–3), message length 4
  b[7] = 3; // Acknowledgement
  b.writeUInt32LE(0, 8); // message stream 0
  b.writeUInt32BE(sequence >>> 0, 12);
  return b;
}

/**
 * Acknowledges what `s` has read, every window it asked for. The library's own 'data' listener runs
 * first (it counts inBytes), and it writes whole messages in one write each, so an acknowledgement
 * written between them is a complete chunk of its own.
 */
export function acknowledgeReads(s: NmsSession): void {
  const socket = s.socket as unknown as ReadableSocket | undefined;
  const rtmp = s.rtmp as { ackSize?: number } | undefined;
  if (!socket || typeof socket.on !== 'function' || typeof socket.write !== 'function' || !rtmp) return;
  let acked = 0;
  socket.on('data', () => {
    const window = rtmp.ackSize ?? 0;
    if (window <= 0 || socket.destroyed || s.inBytes - acked < window) return;
    acked = s.inBytes;
    socket.write(acknowledgement(acked));
  });
}
