// Turns how a relay's ffmpeg ended into a reason from the closed set and a sentence a presenter
// can act on. ffmpeg only tells us through stderr, so this is where its wording is interpreted.
import type { FailureReason } from '../../../common/streaming.js';

export interface ExitFacts {
  stderrTail: string[];
  /** The publish had started (ffmpeg wrote media to the server). */
  published: boolean;
  /** Milliseconds the publish lasted before the exit (0 if never published). */
  publishedForMs: number;
}

export interface Classified {
  reason: FailureReason;
  message: string;
}

/**
 * node-media-server and nginx-rtmp answer a refused key by closing the socket right after the
 * publish command, which ffmpeg sees as end-of-file a moment after it started writing.
 */
export const EARLY_CLOSE_MS = 1500;

export function classifyRelayExit(facts: ExitFacts): Classified {
  const text = facts.stderrTail.join('\n');
  const serverError = /Server error:\s*(.+)/i.exec(text)?.[1]?.trim();
  if (serverError) {
    if (/already publishing|badname|in use|already has a publisher/i.test(serverError)) {
      return { reason: 'stream-in-use', message: `Another publisher holds this stream (server said: ${serverError})` };
    }
    return { reason: 'publish-rejected', message: `The server refused the publish: ${serverError}` };
  }
  if (/Connection refused/i.test(text)) {
    return { reason: 'refused', message: 'Nothing is listening at that address: the server is down or the port is wrong' };
  }
  if (/Failed to resolve|Name or service not known|Temporary failure in name resolution|No route to host|Network is unreachable/i.test(text)) {
    return { reason: 'unreachable', message: 'The server cannot be reached: check the host name and the network' };
  }
  if (/timed out|Operation timed out|Connection timed out/i.test(text)) {
    return { reason: 'timeout', message: 'The server stopped answering' };
  }
  if (!facts.published) {
    if (/Cannot open connection/i.test(text)) {
      return { reason: 'refused', message: 'The connection to the server could not be opened' };
    }
    return { reason: 'publish-rejected', message: 'The server closed the connection before the publish started' };
  }
  if (facts.publishedForMs < EARLY_CLOSE_MS) {
    return {
      reason: 'publish-rejected',
      message: 'The server closed the stream right after it started: the stream key or signature was refused, or another publisher holds the stream',
    };
  }
  return { reason: 'closed-by-server', message: 'The server closed the live stream' };
}
