// Bench support: the smallest RTMP player that makes a server send a live stream (handshake,
// connect, createStream, play). It never parses what comes back: the load generator only needs to
// know that bytes keep arriving.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

function amfString(s: string): Buffer {
  const b = Buffer.alloc(3 + Buffer.byteLength(s));
  b[0] = 0x02;
  b.writeUInt16BE(Buffer.byteLength(s), 1);
  b.write(s, 3);
  return b;
}

function amfNumber(n: number): Buffer {
  const b = Buffer.alloc(9);
  b[0] = 0x00;
  b.writeDoubleBE(n, 1);
  return b;
}

const AMF_NULL = Buffer.from([0x05]);

function amfObject(o: Record<string, string | number | boolean>): Buffer {
  const parts: Buffer[] = [Buffer.from([0x03])];
  for (const [k, v] of Object.entries(o)) {
    const key = Buffer.alloc(2 + k.length);
    key.writeUInt16BE(k.length, 0);
    key.write(k, 2);
    parts.push(key, typeof v === 'string' ? amfString(v) : typeof v === 'number' ? amfNumber(v) : Buffer.from([0x01, v ? 1 : 0]));
  }
  parts.push(Buffer.from([0x00, 0x00, 0x09]));
  return Buffer.concat(parts);
}

/** One whole message in a single type-0 chunk (we raise the chunk size first, so nothing splits). */
function message(csid: number, type: number, streamId: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = csid;
  h.writeUIntBE(0, 1, 3);
  h.writeUIntBE(payload.length, 4, 3);
  h[7] = type;
  h.writeUInt32LE(streamId, 8);
  return Buffer.concat([h, payload]);
}

export interface RtmpPlayOptions {
  host: string;
  port: number;
  app: string;
  stream: string;
  onData(bytes: number): void;
  onClose(): void;
}

export function rtmpPlay(o: RtmpPlayOptions): net.Socket {
  const socket = net.connect({ host: o.host, port: o.port });
  const c1 = Buffer.concat([Buffer.alloc(8), randomBytes(1528)]);
  let handshake = Buffer.alloc(0);
  let playing = false;
  socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([0x03]), c1])));
  socket.on('data', (d: Buffer) => {
    if (playing) return o.onData(d.length);
    handshake = Buffer.concat([handshake, d]);
    if (handshake.length < 3073) return;
    const s1 = handshake.subarray(1, 1537);
    const chunkSize = Buffer.alloc(4);
    chunkSize.writeUInt32BE(4096, 0);
    socket.write(
      Buffer.concat([
        s1, // C2 echoes S1
        message(2, 1, 0, chunkSize),
        message(3, 20, 0, Buffer.concat([
          amfString('connect'), amfNumber(1),
          amfObject({ app: o.app, flashVer: 'LNX 9,0,124,2', tcUrl: `rtmp://${o.host}:${o.port}/${o.app}`, fpad: false, capabilities: 15, audioCodecs: 3191, videoCodecs: 252, videoFunction: 1 }),
        ])),
        message(3, 20, 0, Buffer.concat([amfString('createStream'), amfNumber(2), AMF_NULL])),
        message(8, 20, 1, Buffer.concat([amfString('play'), amfNumber(0), AMF_NULL, amfString(o.stream)])),
      ]),
    );
    playing = true;
    if (handshake.length > 3073) o.onData(handshake.length - 3073);
  });
  socket.on('close', o.onClose);
  socket.on('error', () => socket.destroy());
  return socket;
}
