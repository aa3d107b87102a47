// An in-process RTMP peer for publisher tests: answers the handshake, reassembles what the
// publisher sends with the engine's own chunk reader, and lets each test script the server's
// answers (accept, refuse with a status, hang up, go silent, send garbage, stop reading).
import net from 'node:net';
import { type Amf0Value, decodeAmf0Values, encodeAmf0Values } from '../../main/engine/rtmp/amf0.js';
import { encodeChunks, MessageType, RtmpChunkReader, type RtmpMessage } from '../../main/engine/rtmp/chunks.js';

export interface FakeCommand {
  name: string;
  tx: number;
  args: Amf0Value[];
  streamId: number;
}

export interface FakePeer {
  socket: net.Socket;
  /** Every message received after the handshake, in order. */
  messages: RtmpMessage[];
  commands: FakeCommand[];
  /** Answers a command with _result. */
  result(tx: number, ...values: Amf0Value[]): void;
  error(tx: number, info: Record<string, Amf0Value>): void;
  status(streamId: number, level: string, code: string, description: string): void;
  send(msg: RtmpMessage): void;
}

export interface FakeServerScript {
  /** Called for each command; the default accepts connect, createStream and answers publish with Start. */
  onCommand?(peer: FakePeer, cmd: FakeCommand): void;
  /** Raw bytes instead of a handshake answer (garbage), or 'silent' to answer nothing. */
  handshake?: Buffer | 'silent';
  onMessage?(peer: FakePeer, msg: RtmpMessage): void;
}

export interface FakeServer {
  port: number;
  url(name: string, app?: string): string;
  peers: FakePeer[];
  close(): Promise<void>;
}

/** The answers a well-behaved server gives, as node-media-server and nginx-rtmp do. */
export function acceptAll(peer: FakePeer, cmd: FakeCommand): void {
  if (cmd.name === 'connect') peer.result(cmd.tx, { fmsVer: 'FMS/3,0,1,123' }, { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.' });
  else if (cmd.name === 'createStream') peer.result(cmd.tx, null, 1);
  else if (cmd.name === 'publish') peer.status(cmd.streamId, 'status', 'NetStream.Publish.Start', `${String(cmd.args[0])} is now published.`);
}

export async function startFakeServer(script: FakeServerScript = {}): Promise<FakeServer> {
  const peers: FakePeer[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    const reader = new RtmpChunkReader({ maxMessageBytes: 16 << 20 });
    let shaken = false;
    let answered = false;
    let hs = Buffer.alloc(0);
    const peer: FakePeer = {
      socket,
      messages: [],
      commands: [],
      send: (msg) => {
        if (!socket.destroyed) socket.write(encodeChunks(msg));
      },
      result: (tx, ...values) => peer.send(command(['_result', tx, ...values], 0)),
      error: (tx, info) => peer.send(command(['_error', tx, null, info], 0)),
      status: (streamId, level, code, description) => peer.send(command(['onStatus', 0, null, { level, code, description }], streamId)),
    };
    peers.push(peer);
    socket.on('data', (data: Buffer) => {
      if (!shaken) {
        hs = Buffer.concat([hs, data]);
        if (script.handshake === 'silent') return;
        if (script.handshake) {
          socket.end(script.handshake);
          return;
        }
        if (hs.length < 1537) return;
        if (!answered) {
          // S0 S1 S2: version 3, a fixed S1, and C1 echoed as S2.
          answered = true;
          socket.write(Buffer.concat([Buffer.of(3), Buffer.alloc(1536, 7), hs.subarray(1, 1537)]));
        }
        if (hs.length < 1537 + 1536) return;
        shaken = true;
        data = hs.subarray(1537 + 1536);
        if (data.length === 0) return;
      }
      let msgs: RtmpMessage[];
      try {
        msgs = reader.push(data);
      } catch {
        socket.destroy();
        return;
      }
      for (const m of msgs) {
        peer.messages.push(m);
        script.onMessage?.(peer, m);
        if (m.type === MessageType.amf0Command) {
          const [name, tx, , ...args] = decodeAmf0Values(m.payload);
          const cmd: FakeCommand = { name: String(name), tx: Number(tx), args, streamId: m.streamId };
          peer.commands.push(cmd);
          (script.onCommand ?? acceptAll)(peer, cmd);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (name, app = 'live') => `rtmp://127.0.0.1:${port}/${app}/${name}`,
    peers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of peers) p.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function command(values: Amf0Value[], streamId: number): RtmpMessage {
  return { csid: 3, type: MessageType.amf0Command, streamId, timestamp: 0, payload: encodeAmf0Values(values) };
}
