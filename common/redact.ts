// Secrets (stream keys, signatures, tokens) never reach logs or the renderer. This is the one
// redaction list, used by every logger (the node's, the engine's and the shell's: each side builds
// its own pino, as this file is also bundled for browsers) and by everything that shows or logs
// text a secret may be in. URLs are masked by common/publish-url.ts, the one home of URL masking.
import { maskPublishUrl } from './publish-url.js';

/**
 * Field names whose values are secrets wherever a log record or a line of text carries them:
 * presenter tokens, publish secrets, stream keys, URL signatures, HTTP credentials, and
 * node-media-server's `query` (the publish URL's query, signature included).
 */
export const SECRET_FIELDS = [
  'token',
  'controlToken',
  'secret',
  'streamKey',
  'key',
  'sign',
  'signature',
  'password',
  'authorization',
  'cookie',
  'query',
] as const;

/** Field names that hold URLs: kept in a log record (the host helps), with keys and signatures masked. */
export const URL_FIELDS = ['url', 'publishUrl', 'tcUrl'] as const;

/** What stands in a log record for a secret value. */
export const REDACTED = '[redacted]';

/**
 * pino `redact.paths`: every secret or URL field at the top of a record or one level down (pino
 * errors, child bindings, `{ server: { token } }`), and in HTTP headers of a logged request.
 * Deeper values are caught as text by `redactText`, run over every line written.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  ...[...SECRET_FIELDS, ...URL_FIELDS].flatMap((f) => [f, `*.${f}`]),
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

const URL_FIELD_SET: ReadonlySet<string> = new Set(URL_FIELDS);

/** pino `redact.censor`: a URL field keeps its masked URL, any other secret field is replaced. */
export function censorLogValue(value: unknown, path: readonly string[]): unknown {
  const field = path[path.length - 1] ?? '';
  return URL_FIELD_SET.has(field) && typeof value === 'string' ? redactText(value) : REDACTED;
}

const names = SECRET_FIELDS.join('|');
/** `sign=…`, `token=…`, `streamKey=…` in a query or on a command line (any name ending in one of these). */
const PARAM = new RegExp(`\\b([\\w-]*(?:${names}))=([^&\\s'"]+)`, 'gi');
/** `"token":"…"` in JSON text (a log line, an error message that quotes a payload), at any depth. */
const JSON_FIELD = new RegExp(`"(${names})"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, 'gi');
/** The same inside a JSON string (`\\"token\\":\\"…\\"`: a message that quotes a frame, as a log line holds it). */
const ESCAPED_JSON_FIELD = new RegExp(`\\\\"(${names})\\\\"\\s*:\\s*\\\\"(?:[^"\\\\]|\\\\[^"])*\\\\"`, 'gi');
/** `Authorization: Bearer …` / `Cookie: …` header lines. */
const HEADER = /\b(authorization|cookie|set-cookie)(\s*:\s*)([^\r\n"]+)/gi;

/**
 * Masks secrets anywhere in a line of text: rtmp(s):// URLs (their key and query, by
 * maskPublishUrl), `name=value` parameters and `"name":"value"` JSON fields of a secret name, and
 * credential headers. Safe to run twice.
 */
export function redactText(text: string): string {
  return text
    .replace(/rtmps?:\/\/[^\s'"]+/gi, (m) => maskPublishUrl(m))
    .replace(PARAM, '$1=••••')
    .replace(JSON_FIELD, `"$1":"${REDACTED}"`)
    .replace(ESCAPED_JSON_FIELD, `\\"$1\\":\\"${REDACTED}\\"`)
    .replace(HEADER, '$1$2••••');
}

/**
 * The redaction part of a pino logger's options, the same for every side: secret fields censored
 * by path, URL fields masked, and every written line run through `redactText` (messages, nested
 * values, error stacks). Spread into `pino({ ... })`; plain values, so this file needs no pino.
 */
export const logRedaction = {
  redact: { paths: [...LOG_REDACT_PATHS], censor: censorLogValue },
  hooks: { streamWrite: redactText },
};
