// RtmpPublisher against an in-process RTMP peer: the command sequence OBS and FMLE send, media
// with extended timestamps that a chunk reader reassembles, acknowledgements and pings both ways,
// and every refusal or fault turned into its own reason, without the key in the words.
import { afterEach, describe, expect, it } from 'vitest';
import { Amf0EcmaArray, decodeAmf0Values, encodeAmf0Values } from '../../main/engine/rtmp/amf0.js';
import { encodeChunkParts, encodeChunks, MessageType, RtmpChunkReader } from '../../main/engine/rtmp/chunks.js';
import { type PublishFailure, RtmpPublisher } from '../../main/engine/rtmp/rtmp-publisher.js';
import { acceptAll, type FakeServer, type FakeServerScript, startFakeServer } from '../support/publisher-fake-server.js';
import { waitFor } from '../support/wait-for.js';

const KEY = 'sk-live-5e3f9a';
let server: FakeServer | null = null;
let pub: RtmpPublisher | null = null;

afterEach(async () => {
  pub?.dispose();
  pub = null;
  await server?.close();
  server = null;
});

type Outcome = { kind: 'confirmed' } | ({ kind: 'failed' } & PublishFailure);

async function publishTo(script: FakeServerScript, url?: (s: FakeServer) => string, confirmMs = 50): Promise<{ p: RtmpPublisher; outcome: Promise<Outcome>; s: FakeServer }> {
  server = await startFakeServer(script);
  const p = new RtmpPublisher({ url: url ? url(server) : `${server.url(KEY)}?sign=1999999999-abcdef`, confirmMs });
  pub = p;
  const outcome = new Promise<Outcome>((resolve) => {
    p.onConfirm(() => resolve({ kind: 'confirmed' }));
    p.onFail((f) => resolve({ kind: 'failed', ...f }));
  });
  p.start();
  return { p, outcome, s: server };
}

async function failure(script: FakeServerScript, url?: (s: FakeServer) => string): Promise<PublishFailure> {
  const { outcome } = await publishTo(script, url);
  const o = await outcome;
  if (o.kind !== 'failed') throw new Error('expected a failure, the publish was confirmed');
  expect(o.message).not.toContain(KEY);
  expect(o.message).not.toContain('abcdef');
  return o;
}

describe('RtmpPublisher', () => {
  it('sends connect, releaseStream, FCPublish, createStream and publish, then metadata and media with extended timestamps', async () => {
    const { p, outcome, s } = await publishTo({});
    expect(await outcome).toEqual({ kind: 'confirmed' });
    const peer = s.peers[0]!;
    expect(peer.commands.map((c) => c.name)).toEqual(['connect', 'releaseStream', 'FCPublish', 'createStream', 'publish']);
    const connect = decodeAmf0Values(peer.messages.find((m) => m.type === MessageType.amf0Command)!.payload)[2] as Record<string, unknown>;
    expect(connect).toMatchObject({ app: 'live', tcUrl: `rtmp://127.0.0.1:${s.port}/live`, flashVer: expect.stringMatching(/^FMLE\/3\.0/) });
    const publish = peer.commands.find((c) => c.name === 'publish')!;
    expect(publish.args).toEqual([`${KEY}?sign=1999999999-abcdef`, 'live']);
    expect(publish.streamId).toBe(1);
    expect(peer.messages.find((m) => m.type === MessageType.setChunkSize)!.payload.readUInt32BE(0)).toBe(4096);
    expect(peer.messages.find((m) => m.type === MessageType.windowAckSize)).toBeDefined();

    const meta = encodeAmf0Values(['onMetaData', new Amf0EcmaArray({ width: 640, height: 360 })]);
    p.sendMetadata(meta);
    const big = Buffer.alloc(10_000, 0x27); // three chunks at 4096: each continuation repeats the extended stamp
    big[0] = 0x17;
    p.sendMedia(MessageType.video, 0x1000005, big);
    p.sendMedia(MessageType.audio, 0x1000010, Buffer.from([0xaf, 1, 2, 3]));
    await waitFor(() => peer.messages.some((m) => m.type === MessageType.audio), { timeoutMs: 2000, what: 'the audio message' });
    const data = peer.messages.find((m) => m.type === MessageType.amf0Data)!;
    expect(decodeAmf0Values(data.payload).slice(0, 2)).toEqual(['@setDataFrame', 'onMetaData']);
    expect(data.streamId).toBe(1);
    const video = peer.messages.find((m) => m.type === MessageType.video)!;
    expect(video.timestamp).toBe(0x1000005);
    expect(video.payload.equals(big)).toBe(true);
    expect(peer.messages.find((m) => m.type === MessageType.audio)!.timestamp).toBe(0x1000010);
  });

  it('counts the server acknowledgements, answers its pings and measures a round trip from its pongs', async () => {
    const { p, outcome, s } = await publishTo({
      onMessage: (peer, m) => {
        // A ping request from the publisher (User Control 6) gets a response (7) with its stamp.
        if (m.type === MessageType.userControl && m.payload.readUInt16BE(0) === 6) {
          const pong = Buffer.from(m.payload);
          pong.writeUInt16BE(7, 0);
          peer.send({ csid: 2, type: MessageType.userControl, streamId: 0, timestamp: 0, payload: pong });
        }
      },
    });
    expect((await outcome).kind).toBe('confirmed');
    const peer = s.peers[0]!;
    const ack = Buffer.alloc(4);
    ack.writeUInt32BE(300_000, 0);
    peer.send({ csid: 2, type: MessageType.acknowledgement, streamId: 0, timestamp: 0, payload: ack });
    const ping = Buffer.from([0, 6, 0, 0, 0x30, 0x39]);
    peer.send({ csid: 2, type: MessageType.userControl, streamId: 0, timestamp: 0, payload: ping });
    await waitFor(() => p.ackedBytes === 300_000 && p.rttMs !== null, { timeoutMs: 3000, what: 'ack and round trip' });
    await waitFor(() => peer.messages.some((m) => m.type === MessageType.userControl && m.payload.readUInt16BE(0) === 7), { timeoutMs: 2000, what: 'the pong' });
    const pong = peer.messages.find((m) => m.type === MessageType.userControl && m.payload.readUInt16BE(0) === 7)!;
    expect(pong.payload.readUInt32BE(2)).toBe(0x3039);
    expect(p.rttMs).toBeLessThan(1000);
  });

  it('names a stream held by another publisher (BadName, "Already publishing")', async () => {
    const f = await failure({
      onCommand: (peer, c) => (c.name === 'publish' ? peer.status(c.streamId, 'error', 'NetStream.Publish.BadName', 'Already publishing') : acceptAll(peer, c)),
    });
    expect(f.reason).toBe('stream-in-use');
    expect(f.message).toMatch(/Another publisher holds this stream .*Already publishing/);
  });

  it('names an expired signature and a refused key from the status description, scrubbing the key the server echoes', async () => {
    const expired = await failure({
      onCommand: (peer, c) => (c.name === 'publish' ? peer.status(c.streamId, 'error', 'NetStream.Publish.Unauthorized', `expired: /live/${KEY} signature is past its time`) : acceptAll(peer, c)),
    });
    expect(expired.reason).toBe('signature-expired');
    await server!.close();
    const refused = await failure({
      onCommand: (peer, c) => (c.name === 'publish' ? peer.status(c.streamId, 'error', 'NetStream.Publish.BadName', `bad-signature for ${KEY}`) : acceptAll(peer, c)),
    });
    expect(refused.reason).toBe('key-refused');
    expect(refused.message).toMatch(/refused the stream key or signature \(server said: bad-signature for ••••\)/);
  });

  it('names a missing application: a _error to connect, or a hang-up right after it (nginx-rtmp)', async () => {
    const said = await failure({ onCommand: (peer, c) => (c.name === 'connect' ? peer.error(c.tx, { level: 'error', code: 'NetConnection.Connect.Rejected', description: 'Application not found' }) : acceptAll(peer, c)) });
    expect(said.reason).toBe('app-not-found');
    await server!.close();
    const closed = await failure({ onCommand: (peer, c) => (c.name === 'connect' ? peer.socket.end() : acceptAll(peer, c)) });
    expect(closed.reason).toBe('app-not-found');
    expect(closed.message).toMatch(/closed the connection after connect\(live\)/);
  });

  it('calls a hang-up right after Publish.Start a refused publish (node-media-server checks the key after answering Start)', async () => {
    const f = await failure({
      onCommand: (peer, c) => {
        acceptAll(peer, c);
        if (c.name === 'publish') peer.socket.end();
      },
    });
    expect(f.reason).toBe('publish-rejected');
    expect(f.message).toMatch(/right after accepting the publish: the stream key or signature was likely refused/);
  });

  it('calls a close during a confirmed publish closed-by-server', async () => {
    const { p, outcome, s } = await publishTo({});
    expect((await outcome).kind).toBe('confirmed');
    const failed = new Promise<PublishFailure>((resolve) => p.onFail(resolve));
    s.peers[0]!.socket.end();
    expect((await failed).reason).toBe('closed-by-server');
  });

  it('calls garbage or HTTP in the handshake a protocol error, in words', async () => {
    const garbage = await failure({ handshake: Buffer.from([0x42, 1, 2, 3]) });
    expect(garbage.reason).toBe('protocol-error');
    expect(garbage.message).toMatch(/does not speak RTMP: unexpected handshake version 0x42/);
    await server!.close();
    const http = await failure({ handshake: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') });
    expect(http.message).toMatch(/it answered in HTTP/);
  });

  it('calls malformed chunks after the handshake a protocol error', async () => {
    const f = await failure({
      onCommand: (peer, c) => {
        if (c.name !== 'connect') return acceptAll(peer, c);
        // A type 1 chunk header on a chunk stream never opened: not RTMP framing.
        peer.socket.write(Buffer.from([0x40 | 9, 0, 0, 0, 0, 0, 4, 20, 1, 2, 3, 4]));
      },
    });
    expect(f.reason).toBe('protocol-error');
    expect(f.message).toMatch(/malformed RTMP/);
  });

  it('calls a closed port refused', async () => {
    const f = await failure({}, (s) => {
      void s.close();
      return `rtmp://127.0.0.1:1/live/${KEY}`;
    });
    expect(f.reason).toBe('refused');
  });
});

describe('encodeChunkParts', () => {
  it('round-trips through the chunk reader for one-, two- and three-byte chunk stream ids, with and without extended timestamps, sharing the payload', () => {
    const payload = Buffer.alloc(9000);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    for (const csid of [3, 100, 400]) {
      for (const timestamp of [40, 0xffffff, 0x1234567]) {
        const reader = new RtmpChunkReader();
        const setSize = Buffer.alloc(4);
        setSize.writeUInt32BE(4096, 0);
        reader.push(encodeChunks({ csid: 2, type: MessageType.setChunkSize, streamId: 0, timestamp: 0, payload: setSize }));
        const parts = encodeChunkParts({ csid, type: MessageType.video, streamId: 1, timestamp, payload }, 4096);
        expect(parts.some((p) => p.buffer === payload.buffer)).toBe(true); // views, not copies
        const [m] = reader.push(Buffer.concat(parts));
        expect(m).toMatchObject({ csid, type: MessageType.video, streamId: 1, timestamp });
        expect(m!.payload.equals(payload)).toBe(true);
      }
    }
  });
});
