// Structured logs for the node (pino). Secrets never reach a log line: the one redaction of
// common/redact.ts (secret fields censored, URLs masked, every line scrubbed as text) applies.
import { pino, type Logger } from 'pino';
import { logRedaction } from '../common/redact.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  nodeId?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(o: LoggerOptions = {}): Logger {
  return pino(
    {
      level: o.level ?? 'info',
      base: o.nodeId ? { node: o.nodeId } : {},
      ...logRedaction,
    },
    (o.destination ?? process.stdout) as pino.DestinationStream,
  );
}
