// The engine's logger: pino's shape, injected, so the shell, the CLI and tests choose the sink.
import pino from 'pino';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export function createLogger(level: string = process.env.TANDEM_LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      // Belt and braces: the engine masks URLs itself, and these keys never leave the process.
      redact: { paths: ['url', 'streamKey', 'secret', 'token', 'controlToken', '*.url', '*.streamKey', '*.secret', '*.token', '*.controlToken'], censor: '••••' },
    },
    destination ?? pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
