// The engine's logger: pino's shape, injected, so the shell, the CLI and tests choose the sink.
// Secrets never reach a log line: the one redaction of common/redact.ts (secret fields censored,
// URLs masked, every line scrubbed as text) applies, on top of the engine masking URLs itself.
import pino from 'pino';
import { logRedaction } from '../../../common/redact.js';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export function createLogger(level: string = process.env.TANDEM_LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: undefined, ...logRedaction }, destination ?? pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
