// The only module that knows node-media-server (v4). It starts the library with its process-wide
// config and turns its untyped global events into typed callbacks. Its public surface cannot close a
// session for good, evict a lingering publisher or tell WS-FLV from HTTP-FLV, so the few session
// members used for that are named here and nowhere else, and checked at start-up (nms-internals.ts).
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ViewerProtocol } from './media-protocol.js';
import { NMS_EXPECTED_VERSION, NmsIncompatibleError, assertNmsInternals } from './nms-internals.js';

const require = createRequire(import.meta.url);

interface Closable {
  once(event: 'close', cb: () => void): unknown;
  end?: () => void;
  destroy?: () => void;
  terminate?: () => void;
}

/** The subset of a node-media-server session Tandem relies on. */
export interface NmsSession {
  readonly id: string;
  readonly protocol: string;
  readonly streamApp: string;
  readonly streamName: string;
  readonly streamPath: string;
  streamQuery: Record<string, unknown> | undefined;
  readonly inBytes: number;
  readonly outBytes: number;
  close(): void;
  // Internals, used only below.
  readonly socket?: Closable;
  readonly req?: { socket?: Closable; headers?: Record<string, string | string[] | undefined> };
  readonly res?: Closable & { readyState?: number };
  readonly broadcast?: BroadcastInternals;
  readonly rtmp?: { streamId?: number; sendStatusMessage?(streamId: number, level: string, code: string, description: string): void };
}

/** The library's per-stream broadcast object: only what the resume fixes below need. */
interface BroadcastInternals {
  donePublish(s: NmsSession): void;
  broadcastMessage: (packet: { codec_type: number; flags: number; dts: number }) => void;
  _dtsOffset?: Record<number, number>;
  subscribers?: Map<string, NmsSession>;
  publisher?: NmsSession | null;
  // What a joining player is sent first: the last publish's metadata, sequence headers and GOP.
  flvMetaData?: Buffer | null;
  flvAudioHeader?: Buffer | null;
  flvVideoHeader?: Buffer | null;
  rtmpMetaData?: Buffer | null;
  rtmpAudioHeader?: Buffer | null;
  rtmpVideoHeader?: Buffer | null;
  flvGopCache?: Set<Buffer> | null;
  rtmpGopCache?: Set<Buffer> | null;
  tandemTimeline?: { resumed: boolean; tracks: Tracks | null; isViewer: (s: NmsSession) => boolean };
}

interface Tracks {
  audio: boolean;
  video: boolean;
}

/** An AMF0 object key (16-bit length, then the name) in an FLV script tag. */
function hasAmfKey(tag: Buffer, key: string): boolean {
  const k = Buffer.alloc(2 + key.length);
  k.writeUInt16BE(key.length, 0);
  k.write(key, 2, 'latin1');
  return tag.includes(k);
}

/**
 * The tracks of the current publish: from its onMetaData when it sent one (it comes before any
 * frame, so a publisher whose audio starts before its video's sequence header is not taken for
 * audio-only), else from the sequence headers seen so far.
 */
function tracksOf(b: BroadcastInternals): Tracks {
  const meta = b.flvMetaData;
  if (meta) {
    const audio = hasAmfKey(meta, 'audiocodecid');
    const video = hasAmfKey(meta, 'videocodecid');
    if (audio || video) return { audio, video };
  }
  return { audio: b.flvAudioHeader != null, video: b.flvVideoHeader != null };
}

/** Forgets the previous publish's metadata, sequence headers and GOP: the resumed one sends its own. */
function forgetPreviousPublish(b: BroadcastInternals): void {
  b.flvMetaData = null;
  b.flvAudioHeader = null;
  b.flvVideoHeader = null;
  b.rtmpMetaData = null;
  b.rtmpAudioHeader = null;
  b.rtmpVideoHeader = null;
  // null, not empty: the library re-creates the cache at the next keyframe, while an empty set would
  // collect every frame of an audio-only stream (no keyframes) for each new player to replay.
  b.flvGopCache = null;
  b.rtmpGopCache = null;
}

export type NmsEvent = 'prePublish' | 'postPublish' | 'prePlay' | 'postPlay';

interface NmsInstance {
  on(event: string, cb: (s: NmsSession) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
  // Internal: the library's HTTP server and its FLV entry point (request + WebSocket or response).
  httpServer?: { handleFlv?: (req: unknown, res: unknown) => void; wsServer?: { options?: { WebSocket?: unknown } } };
}

/** The parts of an HTTP request the library's FLV session reads. */
export interface FlvRequest {
  method: 'GET';
  url: string;
  headers: Record<string, string>;
  socket: { remoteAddress?: string; remotePort?: number };
}

export interface NmsOptions {
  rtmpPort: number;
  httpPort: number;
  storeDir: string;
  /** Keep the library's info and debug lines (the node logs at debug): they cost a few per viewer. */
  libraryDebugLog?: boolean;
}

/** The library config: loopback only, no admin console, no API (no jwt section), no recording. */
export function buildNmsConfig(o: NmsOptions, internalSecret: string): Record<string, unknown> {
  return {
    bind: '127.0.0.1',
    rtmp: { port: o.rtmpPort },
    http: { port: o.httpPort },
    webadmin: { enable: false },
    store: { path: o.storeDir },
    // The library's MD5 check is fed a per-process secret that never leaves this process: Tandem's
    // HMAC check runs in prePublish and hands the library a valid token only for accepted publishers,
    // so a refusal goes through the library's own rejection path.
    auth: { publish: true, play: false, secret: internalSecret },
  };
}

type NmsConstructor = new (config: unknown) => NmsInstance;
let nmsConstructor: NmsConstructor | null = null;

const FLV_PARSER_MODULE = 'node-media-server/src/protocol/flv.js';
const NMS_LOGGER_MODULE = 'node-media-server/src/core/logger.js';
const lazyCapacity = Symbol('tandem.parserTagCapacity');

/**
 * Makes the library's FLV tag parser allocate on demand. It gives every FLV session, players included,
 * a 1 MB buffer for the tags a publisher sends; a player never sends any, so at thousands of viewers
 * those buffers were most of the media core's memory and garbage collections. The constructor's
 * `this.parserTagCapacity = 1 MB` assignment lands on this accessor and is taken as 0, so the buffer
 * starts empty; the parser's own parserTagAlloc grows it (to twice the tag) when a tag arrives.
 */
function makeFlvParsersLazy(): void {
  const Flv = require(FLV_PARSER_MODULE) as { prototype: object };
  if (Object.getOwnPropertyDescriptor(Flv.prototype, 'parserTagCapacity')) return;
  Object.defineProperty(Flv.prototype, 'parserTagCapacity', {
    configurable: true,
    get(this: { [lazyCapacity]?: number }) {
      return this[lazyCapacity] ?? 0;
    },
    set(this: { [lazyCapacity]?: number }, bytes: number) {
      // The first assignment is the constructor's default; later ones are the parser growing.
      this[lazyCapacity] = this[lazyCapacity] === undefined ? 0 : bytes;
    },
  });
}

/** Loads the library, once: the media child does it as soon as it starts, before it is configured. */
export function loadNms(): NmsConstructor {
  try {
    if (!nmsConstructor) makeFlvParsersLazy();
    nmsConstructor ??= require('node-media-server') as NmsConstructor;
  } catch (err) {
    throw new NmsIncompatibleError(`node-media-server ${NMS_EXPECTED_VERSION} is expected but cannot be loaded (${(err as Error).message}). Run \`npm ci\`.`);
  }
  return nmsConstructor;
}

/**
 * Sends the library's log lines to `write` instead of console.log: in the node's own process
 * (`--media-in-process`) its unstructured lines would otherwise land between the node's JSON lines.
 */
export function routeNmsLog(write: (level: string, line: string) => void): void {
  const logger = require(NMS_LOGGER_MODULE) as { levels: string[]; level: string; log: (message: string, level?: string) => void };
  logger.log = (message: string, level = 'info') => {
    if (logger.levels.indexOf(level) >= logger.levels.indexOf(logger.level)) write(level, String(message));
  };
}

export class NmsBridge {
  private readonly internalSecret = randomBytes(24).toString('hex');
  private readonly nms: NmsInstance;

  /** `webSocket`: the class the library's own WebSocket server builds its viewers with (ws's option). */
  constructor(o: NmsOptions, webSocket?: unknown) {
    const NodeMediaServer = loadNms();
    this.nms = new NodeMediaServer(buildNmsConfig(o, this.internalSecret));
    assertNmsInternals(this.nms);
    // Viewers relayed by the supervisor in a connection storm reach the library's own server: they
    // get the same coalescing as handed-over ones (ws reads this option at every upgrade).
    const wsOptions = this.nms.httpServer?.wsServer?.options;
    if (webSocket && wsOptions) wsOptions.WebSocket = webSocket;
    // The library sets its logger to debug when constructed and formats every line (a locale date
    // per line) before the node's logger drops it: a few lines per viewer joining and leaving.
    if (!o.libraryDebugLog) (require(NMS_LOGGER_MODULE) as { level: string }).level = 'warn';
  }

  /**
   * Plays an already upgraded WebSocket through the library's FLV session, as its own WebSocket
   * server would: lets the supervisor hand viewers over instead of relaying every byte.
   */
  playWebSocket(req: FlvRequest, ws: unknown): void {
    this.nms.httpServer!.handleFlv!(req, ws);
  }

  on(event: NmsEvent, cb: (s: NmsSession) => void): void {
    this.nms.on(event, cb);
  }

  run(): Promise<void> {
    return this.nms.run();
  }

  stop(): Promise<void> {
    return this.nms.stop();
  }

  /** Called from prePublish: lets the library accept (true) or refuse (false) this publish. */
  decidePublish(s: NmsSession, accept: boolean): void {
    const query = { ...(s.streamQuery ?? {}) };
    if (accept) {
      const exp = Math.floor(Date.now() / 1000) + 60;
      const hash = createHash('md5').update(`${s.streamPath}-${exp}-${this.internalSecret}`).digest('hex');
      query.sign = `${exp}-${hash}`;
    } else {
      delete query.sign;
    }
    s.streamQuery = query;
  }
}

export function transportOf(s: NmsSession): ViewerProtocol {
  if (s.protocol === 'rtmp') return 'rtmp';
  const upgrade = s.req?.headers?.upgrade;
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket' ? 'ws-flv' : 'http-flv';
}

function transportOfSession(s: NmsSession): Closable | undefined {
  if (s.socket) return s.socket;
  if (s.res && typeof s.res.terminate === 'function') return s.res;
  return s.req?.socket;
}

/** Runs cb once when the session's connection is gone, however it ended. */
export function onSessionClosed(s: NmsSession, cb: () => void): void {
  const t = transportOfSession(s);
  if (!t) {
    queueMicrotask(cb);
    return;
  }
  t.once('close', cb);
}

/**
 * Tells an RTMP publisher why its publish is refused, as nginx-rtmp does ("NetStream.Publish.BadName"
 * with a description), before the connection is dropped: the library answers Publish.Start before
 * it asks the node, so without this the publisher only sees a hang-up right after a start.
 */
export function tellPublishRefused(s: NmsSession, description: string): void {
  const rtmp = s.rtmp;
  if (s.protocol !== 'rtmp' || typeof rtmp?.sendStatusMessage !== 'function') return;
  rtmp.sendStatusMessage(rtmp.streamId ?? 1, 'error', 'NetStream.Publish.BadName', description);
}

/**
 * Closes a refused publisher's connection after its refusal reached it: FIN after the status, then
 * a drop `lingerMs` later. Dropping at once reset the connection while the publisher's own bytes
 * sat unread here, and a reset can discard the status before the publisher reads it: it then saw a
 * bare hang-up instead of the node's words ("bad-signature: …").
 */
export function endRefusedSession(s: NmsSession, lingerMs: number): void {
  const t = transportOfSession(s);
  if (!t?.end || !t.destroy) return destroySession(s);
  t.end();
  const drop = setTimeout(() => t.destroy!(), lingerMs);
  drop.unref?.();
  t.once('close', () => clearTimeout(drop));
}

/** Drops the connection now: a graceful close would let a refused or replaced peer keep sending. */
export function destroySession(s: NmsSession): void {
  const t = transportOfSession(s);
  if (t?.terminate) t.terminate();
  else if (t?.destroy) t.destroy();
  else s.close();
}

/**
 * Frees the stream for a new publisher while `s` lingers: the same step the library takes when a
 * publisher disconnects, so its resume logic keeps the viewers' timeline continuous.
 */
export function evictPublisher(s: NmsSession): void {
  s.broadcast?.donePublish(s);
}

/** Media frames (not sequence headers or metadata): the packets the library shifts on a resume. */
const FRAME_FLAGS = new Set([1, 3, 4]);
/** A resumed publisher whose first frame is at most this far behind the previous last DTS continues its clock. */
const CONTINUE_TOLERANCE_MS = 1000;

/**
 * When a publisher from the same address resumes within the library's grace window (a re-join, a
 * takeover, the presenter's audio-only switch), the library keeps the viewers and:
 * - shifts every new timestamp past the previous publish's last DTS. That is right for a publisher
 *   that restarts its clock at 0 (OBS, plain ffmpeg), and wrong for one that continues it: Tandem's
 *   engine keeps each server's timeline continuous across re-joins, so the shift would double the
 *   time and viewers would see the stream jump seconds ahead. Decided on the resumed publisher's
 *   first frame.
 * - keeps the previous publish's metadata, sequence headers and GOP for players that join. They are
 *   dropped here: the resumed publisher sends its own, and a stale video header would make a player
 *   wait forever for video from a publisher that now sends audio alone.
 * - keeps its viewers, who were set up for the previous tracks: when the tracks changed (audio-only
 *   switch either way), viewers for whom `isViewer` holds are disconnected at the first frame, so
 *   their players reconnect to the stream as it is now.
 * Call after every accepted publish.
 */
export function keepContinuousTimeline(s: NmsSession, isViewer: (s: NmsSession) => boolean = () => true): void {
  const b = s.broadcast;
  if (!b || typeof b.broadcastMessage !== 'function') return;
  const offsets = b._dtsOffset ?? {};
  // Only a publish that takes the stream: the library announces postPublish (with no publisher set
  // yet) before it refuses a second publisher, whose call must not wipe the live one's headers.
  const resumed = Object.values(offsets).some((o) => o > 0) && (b.publisher == null || b.publisher === s);
  // A resumed publish that went away before its first frame never said what it carries: compare
  // with the tracks from before it.
  const pending = b.tandemTimeline?.resumed ? b.tandemTimeline.tracks : null;
  const tracks = resumed ? (pending ?? tracksOf(b)) : null;
  if (resumed) forgetPreviousPublish(b);
  if (b.tandemTimeline) {
    Object.assign(b.tandemTimeline, { resumed, tracks, isViewer });
    return;
  }
  const state = { resumed, tracks, isViewer };
  b.tandemTimeline = state;
  const original = b.broadcastMessage;
  b.broadcastMessage = (packet) => {
    if (state.resumed && FRAME_FLAGS.has(packet.flags) && (packet.codec_type === 8 || packet.codec_type === 9)) {
      state.resumed = false;
      const live = b._dtsOffset ?? {};
      const offset = live[packet.codec_type] ?? 0;
      if (packet.dts >= offset - CONTINUE_TOLERANCE_MS) for (const k of Object.keys(live)) live[Number(k)] = 0;
      const before = state.tracks;
      const now = tracksOf(b);
      state.tracks = null;
      if (before && (before.audio !== now.audio || before.video !== now.video)) {
        for (const sub of [...(b.subscribers?.values() ?? [])]) if (state.isViewer(sub)) destroySession(sub);
      }
    }
    original(packet);
  };
}
