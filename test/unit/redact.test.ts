// One redaction list for every logger: the node's and the engine's pino loggers write no token,
// stream key, signature, secret or credential, whether it is a field, a URL or part of a message.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger as createNodeLogger } from '../../app/logger.js';
import { LOG_REDACT_PATHS, REDACTED, SECRET_FIELDS, redactText } from '../../common/redact.js';
import { createLogger as createEngineLogger } from '../../main/engine/base/logger.js';

const TOKEN = 'tok-0123456789abcdef-SECRET';
const KEY = 'streamkey-9f8e7d6c';
const SIGN = 'v1.1999999999.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
const PASSWORD = 'hunter2-hunter2';
const SECRETS = [TOKEN, KEY, SIGN, PASSWORD, encodeURIComponent(SIGN)];

interface Log {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Log;
}

/** Every way a secret could reach a log line, through one logger; returns what it wrote. */
async function writeEverything(make: (sink: PassThrough) => Log): Promise<string> {
  const sink = new PassThrough();
  let out = '';
  sink.on('data', (d) => (out += String(d)));
  const log = make(sink);
  log.info({ token: TOKEN }, 'hello with a token field');
  log.info({ controlToken: TOKEN, streamKey: KEY, secret: PASSWORD, password: PASSWORD }, 'secret fields');
  log.info({ server: { token: TOKEN, key: KEY } }, 'one level down');
  log.info({ url: `rtmp://10.0.0.5:1935/live/${KEY}?sign=${encodeURIComponent(SIGN)}` }, 'a publish URL field');
  log.warn(`publish to rtmp://10.0.0.5/live/${KEY} failed`);
  log.warn(`GET /live/main.flv?sign=${SIGN}&x=1 refused`);
  log.warn({ err: `ffmpeg -i pipe:0 -f flv rtmps://a.example/app/${KEY} exited` }, 'a URL inside another field');
  log.error({ req: { headers: { authorization: `Bearer ${TOKEN}`, cookie: `s=${TOKEN}` } } }, 'request headers');
  log.error({ payload: { deep: { deeper: { token: TOKEN } } } }, 'deep JSON');
  log.error(`hello {"type":"hello","role":"presenter","token":"${TOKEN}"} refused`);
  log.child({ token: TOKEN, part: 'child' }).info('child bindings');
  await new Promise((r) => setImmediate(r));
  return out;
}

function expectNoSecrets(out: string): void {
  const lines = out.trim().split('\n');
  expect(lines).toHaveLength(11);
  for (const s of SECRETS) expect(out, `leaked ${s}`).not.toContain(s);
  // What is kept: where it went, and that something was there.
  expect(out).toContain('rtmp://10.0.0.5:1935/live/••••');
  expect(out).toContain('rtmp://10.0.0.5/live/••••');
  expect(out).toContain('sign=••••');
  expect(out).toContain(`"token":"${REDACTED}"`);
  expect(out).toContain('child bindings');
  for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
}

describe('log redaction', () => {
  it('masks tokens, keys, signatures and credentials in the node logger', async () => {
    expectNoSecrets(await writeEverything((sink) => createNodeLogger({ level: 'info', nodeId: 'n1', destination: sink })));
  });

  it('masks the same in the engine logger', async () => {
    expectNoSecrets(await writeEverything((sink) => createEngineLogger('info', sink)));
  });

  it('is one list: every secret field is a redaction path at the top and one level down', () => {
    for (const f of SECRET_FIELDS) {
      expect(LOG_REDACT_PATHS).toContain(f);
      expect(LOG_REDACT_PATHS).toContain(`*.${f}`);
    }
  });

  it('masks secrets in plain text, and leaves ordinary words alone', () => {
    expect(redactText(`rtmp://h:1935/live/${KEY}?sign=${SIGN}`)).toBe('rtmp://h:1935/live/••••');
    expect(redactText(`ws://h/control?token=${TOKEN}&v=1`)).toBe('ws://h/control?token=••••&v=1');
    expect(redactText(`--streamKey=${KEY}`)).toBe('--streamKey=••••');
    expect(redactText(`Authorization: Bearer ${TOKEN}`)).toBe('Authorization: ••••');
    expect(redactText('keyframe=12 frames=30 bitrate=2500k')).toBe('keyframe=12 frames=30 bitrate=2500k');
    const once = redactText(`{"token":"${TOKEN}","a":"b"} rtmp://h/live/${KEY}`);
    expect(once).toBe(`{"token":"${REDACTED}","a":"b"} rtmp://h/live/••••`);
    expect(redactText(once)).toBe(once);
  });
});
