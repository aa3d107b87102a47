// Structured logs for the node (pino). Secrets never reach a log line: known secret-bearing keys are
// censored and every string message is run through common/redact.ts (signed URLs, sign= parameters).
import { pino, type Logger } from 'pino';
import { redactText } from '../common/redact.js';

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
      redact: { paths: ['secret', '*.secret', 'sign', '*.sign', 'query', '*.query', 'url', '*.url'], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    (o.destination ?? process.stdout) as pino.DestinationStream,
  );
}
