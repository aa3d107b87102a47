// Minimal players for measurements: they resolve with the wall-clock time at which the first video
// keyframe arrives. Unlike ffprobe they add no probing delay, so "first keyframe readable" is
// measured as a viewer's socket sees it. Attach them before the stream exists: they wait.
import { randomFillSync } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { FlvParser } from '../../main/engine/flv/flv-parser.js';
import { isKeyframe, isSequenceHeader } from '../../main/engine/flv/flv-tag.js';
import { decodeAmf0Values, encodeAmf0Values } from '../../main/engine/rtmp/amf0.js';
import { MessageType, RtmpChunkReader, encodeChunks } from '../../main/engine/rtmp/chunks.js';

const HS = 1536;

/**
 * HTTP-FLV (node-media-server, Tandem nodes), parsed with the engine's own FLV parser. A server
 * that is still starting (refused, an error page, a closed response) is asked again every 20 ms.
 */
export function httpFlvFirstKeyframeAt(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    let done = false;
    let req: http.ClientRequest | null = null;
    const timer = setTimeout(() => {
      done = true;
      req?.destroy();
      reject(new Error(`no keyframe from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    const retry = () => {
      req?.destroy();
      if (!done && Date.now() < deadline) setTimeout(attempt, 20);
    };
    const attempt = () => {
      if (done) return;
      req = http.get(url, (res) => {
        if (res.statusCode !== 200) return retry();
        const parser = new FlvParser(() => {}, (t) => {
          if (!done && isKeyframe(t) && !isSequenceHeader(t)) {
            done = true;
            clearTimeout(timer);
            req?.destroy();
            resolve(Date.now());
          }
        });
        res.on('data', (c: Buffer) => {
          try {
            parser.push(c);
          } catch {
            retry();
          }
        });
        res.on('end', retry);
        res.on('error', retry);
      });
      req.on('error', retry);
    };
    attempt();
  });
}

/** RTMP play: handshake, connect, createStream, play. */
export function rtmpFirstKeyframeAt(url: string, timeoutMs: number): Promise<number> {
  const u = new URL(url);
  const [app, ...rest] = u.pathname.split('/').filter(Boolean);
  const name = rest.join('/');
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) || 1935 });
    sock.setNoDelay(true);
    const timer = setTimeout(() => finish(new Error(`no keyframe from ${u.host}/${app}/… within ${timeoutMs} ms`)), timeoutMs);
    let done = false;
    function finish(err: Error | null, at?: number): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(at!);
    }
    const send = (csid: number, streamId: number, values: Parameters<typeof encodeAmf0Values>[0]) =>
      sock.write(encodeChunks({ csid, type: MessageType.amf0Command, streamId, timestamp: 0, payload: encodeAmf0Values(values) }));
    const c1 = Buffer.alloc(HS);
    randomFillSync(c1, 8);
    sock.write(Buffer.concat([Buffer.from([3]), c1]));
    let hs = Buffer.alloc(0);
    let handshaken = false;
    const reader = new RtmpChunkReader({ maxMessageBytes: 16 * 1024 * 1024 });
    sock.on('data', (data: Buffer) => {
      if (!handshaken) {
        hs = Buffer.concat([hs, data]);
        if (hs.length < 1 + 2 * HS) return;
        handshaken = true;
        sock.write(hs.subarray(1, 1 + HS)); // C2 echoes S1
        send(3, 0, ['connect', 1, { app, tcUrl: `rtmp://${u.host}/${app}`, flashVer: 'LNX 9,0,124,2', fpad: false, capabilities: 15, audioCodecs: 3191, videoCodecs: 252, videoFunction: 1 }]);
        data = hs.subarray(1 + 2 * HS);
        if (data.length === 0) return;
      }
      for (const msg of reader.push(data)) {
        if (msg.type === MessageType.amf0Command) {
          const [cmd, txn, , info] = decodeAmf0Values(msg.payload);
          if (cmd === '_result' && txn === 1) send(3, 0, ['createStream', 2, null]);
          else if (cmd === '_result' && txn === 2) send(8, Number(info), ['play', 0, null, name, -1000]);
          else if (cmd === '_error') finish(new Error(`server refused ${String(txn === 1 ? 'connect' : 'play')}`));
        } else if (msg.type === MessageType.video && msg.payload.length > 1) {
          const key = msg.payload[0]! >> 4 === 1;
          const seqHeader = (msg.payload[0]! & 0x0f) === 7 && msg.payload[1] === 0;
          if (key && !seqHeader) finish(null, Date.now());
        }
      }
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error('server closed the connection before a keyframe')));
  });
}
