// node-media-server's internals that the node reads or patches (app/media/nms-bridge.ts), checked when
// the media core starts: package.json pins the one version they were written against, and an install
// that differs and lacks one of them stops the node at once, in a sentence naming that version,
// instead of a media core that misbehaves later (a resume that jumps, a viewer never let go).
import { createRequire } from 'node:module';
import pkg from '../../package.json' with { type: 'json' };

const require = createRequire(import.meta.url);

/** The version package.json pins (exactly: no range). */
export const NMS_EXPECTED_VERSION: string = pkg.dependencies['node-media-server'];

/** What is looked at: an RTMP session and its broadcast as the library builds them, and the server. */
export interface NmsProbe {
  version: string;
  session: Record<string, unknown>;
  broadcast: Record<string, unknown>;
  server: Record<string, unknown>;
  /** An FLV tag parser as the library gives every FLV session. */
  flvParser: Record<string, unknown>;
  /** The library's logger (a singleton whose level the node lowers). */
  logger: Record<string, unknown>;
}

const SESSION_FIELDS: Record<string, 'function' | 'object' | 'string' | 'number' | 'any'> = {
  id: 'string',
  protocol: 'string',
  streamPath: 'string',
  streamQuery: 'object',
  inBytes: 'number',
  outBytes: 'number',
  close: 'function',
  socket: 'object',
  broadcast: 'object',
  rtmp: 'object',
};

const BROADCAST_FIELDS: Record<string, 'function' | 'object' | 'any'> = {
  donePublish: 'function',
  broadcastMessage: 'function',
  _dtsOffset: 'object',
  subscribers: 'object',
  publisher: 'any',
  flvMetaData: 'any',
  flvAudioHeader: 'any',
  flvVideoHeader: 'any',
  rtmpMetaData: 'any',
  rtmpAudioHeader: 'any',
  rtmpVideoHeader: 'any',
  flvGopCache: 'any',
  rtmpGopCache: 'any',
};

/** makeFlvParsersLazy (nms-bridge.ts) starts the parser's buffer empty; the parser grows it itself. */
const FLV_PARSER_FIELDS: Record<string, 'function' | 'object' | 'number'> = {
  parserTagData: 'object',
  parserTagCapacity: 'number',
  parserTagAlloc: 'function',
};

function missingIn(where: string, obj: Record<string, unknown>, fields: Record<string, string>): string[] {
  return Object.entries(fields)
    .filter(([k, type]) => !(k in obj) || (type !== 'any' && typeof obj[k] !== type))
    .map(([k]) => `${where}.${k}`);
}

/** The internals this probe lacks, by name ([] when all are there). */
export function missingNmsInternals(p: NmsProbe): string[] {
  const httpServer = p.server.httpServer as Record<string, unknown> | undefined;
  const flvEntry = httpServer?.handleFlv;
  const wsOptions = (httpServer?.wsServer as Record<string, unknown> | undefined)?.options;
  return [
    ...missingIn('session', p.session, SESSION_FIELDS),
    ...missingIn('session.broadcast', p.broadcast, BROADCAST_FIELDS),
    ...(typeof flvEntry === 'function' ? [] : ['server.httpServer.handleFlv']),
    ...(typeof (p.session.rtmp as Record<string, unknown> | undefined)?.sendStatusMessage === 'function' ? [] : ['session.rtmp.sendStatusMessage']),
    ...(typeof wsOptions === 'object' && wsOptions !== null ? [] : ['server.httpServer.wsServer.options']),
    ...missingIn('flv', p.flvParser, FLV_PARSER_FIELDS),
    ...(typeof p.logger.level === 'string' ? [] : ['logger.level']),
  ];
}

/** The sentence for an install that lacks some internals, or null when nothing is missing. */
export function nmsIncompatibility(p: NmsProbe, expected = NMS_EXPECTED_VERSION): string | null {
  const missing = missingNmsInternals(p);
  if (missing.length === 0) return null;
  return (
    `node-media-server ${expected} is expected (package.json pins it: the node relies on its internals), ` +
    `but ${p.version} is installed and lacks ${missing.join(', ')}. Run \`npm ci\` to install ${expected}.`
  );
}

/**
 * A probe of the installed library around its running server: an RTMP session built on a stand-in
 * socket (never registered: the library only files a session's broadcast under its stream path once
 * it connects), and the server's own objects.
 */
export function probeInstalledNms(server: object): NmsProbe {
  const version = (require('node-media-server/package.json') as { version: string }).version;
  let session: Record<string, unknown> = {};
  try {
    const RtmpSession = require('node-media-server/src/session/rtmp_session.js') as new (socket: object) => Record<string, unknown>;
    session = new RtmpSession({ remoteAddress: '127.0.0.1', remotePort: 0 });
  } catch {
    // Moved or changed: every session field then counts as missing.
  }
  const broadcast = (session.broadcast ?? {}) as Record<string, unknown>;
  let flvParser: Record<string, unknown> = {};
  try {
    const Flv = require('node-media-server/src/protocol/flv.js') as new () => Record<string, unknown>;
    flvParser = new Flv();
  } catch {
    // Moved or changed: its fields count as missing.
  }
  let logger: Record<string, unknown> = {};
  try {
    logger = require('node-media-server/src/core/logger.js') as Record<string, unknown>;
  } catch {
    // Moved: its level counts as missing.
  }
  return { version, session, broadcast, server: server as Record<string, unknown>, flvParser, logger };
}

/** Thrown when the media core starts on an install that lacks internals it needs; its message is the sentence. */
export class NmsIncompatibleError extends Error {
  override readonly name = 'NmsIncompatibleError';
}

/** Throws NmsIncompatibleError unless the installed library around `server` has every internal the node uses. */
export function assertNmsInternals(server: object): void {
  const problem = nmsIncompatibility(probeInstalledNms(server));
  if (problem) throw new NmsIncompatibleError(problem);
}
