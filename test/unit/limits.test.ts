// Every schema that takes a bounded value takes its bound from common/limits.ts: a value at the
// limit passes everywhere, one past it is refused everywhere (the presenter's form and profile, the
// engine's server config, the control protocol, the node's config and stores).
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { nodeConfigSchema } from '../../app/config.js';
import { QaLog } from '../../app/control/qa-log.js';
import { SharedObjectStore } from '../../app/control/so-store.js';
import { FLV_PATH } from '../../app/http/flv-proxy.js';
import { cueSchema, nodeQuestionSchema, presenterToNodeSchema, questionIdSchema, slotNameSchema, soNameSchema, viewerToNodeSchema, voterIdSchema } from '../../common/control-protocol.js';
import { captureChunkSchema, invokeContract, serverInputSchema, soValueSchema } from '../../common/ipc-contract.js';
import * as L from '../../common/limits.js';
import { brandSchema, profileServerSchema } from '../../common/profile.js';
import { isValidStreamName } from '../../common/publish-auth.js';
import { serverConfigSchema } from '../../common/streaming.js';
import { sourceSpecSchema } from '../../main/engine/encoder/source.js';
import { silentLogger } from '../../main/engine/base/logger.js';
import { ControlPlane } from '../../main/engine/control/control-plane.js';

const log = pino({ level: 'silent' });
const url = 'rtmp://127.0.0.1/live';
const chars = (n: number, c = 'a') => c.repeat(n);
/** A token of n characters that passes the strength rule (common/secret-strength.ts): random base64url. */
const token = (n: number) => randomBytes(n).toString('base64url').slice(0, n);
type Check = (v: string) => boolean;

/** Asserts that every check takes a value of `ok` characters and refuses one of `bad`. */
function agree(checks: Record<string, Check>, ok: number, bad: number, c: string | ((n: number) => string) = 'a'): void {
  const make = typeof c === 'function' ? c : (n: number) => chars(n, c);
  for (const [name, accepts] of Object.entries(checks)) {
    expect(accepts(make(ok)), `${name} takes ${ok}`).toBe(true);
    expect(accepts(make(bad)), `${name} refuses ${bad}`).toBe(false);
  }
}

describe('limits: one number, every schema', () => {
  it('picks one token length for the presenter, the engine and the node', () => {
    expect(L.MIN_TOKEN_CHARS).toBe(16);
    expect(L.MAX_TOKEN_CHARS).toBe(1024);
    const takes: Record<string, Check> = {
      'node config (controlToken)': (t) => nodeConfigSchema.safeParse({ controlToken: t }).success,
      'engine server config (controlToken)': (t) => serverConfigSchema.safeParse({ id: 'a', url, controlToken: t }).success,
      'IPC servers.save (token)': (t) => serverInputSchema.safeParse({ id: 'a', url, token: t }).success,
      'cluster profile (token)': (t) => profileServerSchema.safeParse({ id: 'a', url, token: t }).success,
    };
    const hello = (t: string) => ({ type: 'hello', v: 1, role: 'presenter', token: t });
    const hellos: Record<string, Check> = {
      'control hello (presenter)': (t) => presenterToNodeSchema.safeParse(hello(t)).success,
      'control hello (viewer schema)': (t) => viewerToNodeSchema.safeParse(hello(t)).success,
    };
    agree({ ...takes, ...hellos }, L.MAX_TOKEN_CHARS, L.MAX_TOKEN_CHARS + 1, token);
    // A hello carries whatever it is given up to the max (a short one is simply a wrong token).
    agree(takes, L.MIN_TOKEN_CHARS, L.MIN_TOKEN_CHARS - 1, token);
  });

  it('says the token limits in words', () => {
    const long = serverInputSchema.safeParse({ id: 'a', url, token: chars(L.MAX_TOKEN_CHARS + 1) });
    expect(long.error?.issues.map((i) => i.message).join(' ')).toContain(`${L.MAX_TOKEN_CHARS} characters at most`);
    const short = nodeConfigSchema.safeParse({ controlToken: token(L.MIN_TOKEN_CHARS - 1) });
    expect(short.error?.issues[0]?.message).toContain(`at least ${L.MIN_TOKEN_CHARS} characters`);
  });

  it('bounds stream keys and labels the same in the form, the profile and the engine', () => {
    agree(
      {
        'engine server config': (k) => serverConfigSchema.safeParse({ id: 'a', url, streamKey: k }).success,
        'IPC servers.save': (k) => serverInputSchema.safeParse({ id: 'a', url, streamKey: k }).success,
        'cluster profile': (k) => profileServerSchema.safeParse({ id: 'a', url, streamKey: k }).success,
      },
      L.MAX_STREAM_KEY_CHARS,
      L.MAX_STREAM_KEY_CHARS + 1,
    );
    agree(
      {
        'engine server config': (x) => serverConfigSchema.safeParse({ id: 'a', url, label: x }).success,
        'IPC servers.save': (x) => serverInputSchema.safeParse({ id: 'a', url, label: x }).success,
        'cluster profile': (x) => profileServerSchema.safeParse({ id: 'a', url, label: x }).success,
      },
      L.MAX_LABEL_CHARS,
      L.MAX_LABEL_CHARS + 1,
    );
  });

  it('bounds ids and names by MAX_ID_CHARS on every side', () => {
    agree(
      {
        'server id': (id) => serverConfigSchema.safeParse({ id, url }).success,
        'IPC servers.save id': (id) => serverInputSchema.safeParse({ id, url }).success,
        'IPC servers.remove id': (id) => invokeContract['servers.remove'].args.safeParse({ id }).success,
        'node id': (id) => nodeConfigSchema.safeParse({ nodeId: id }).success,
        'node stream': (s) => nodeConfigSchema.safeParse({ stream: s }).success,
        'stream name': isValidStreamName,
        'FLV path': (s) => FLV_PATH.test(`/live/${s}.flv`),
        'shared-object name': (n) => soNameSchema.safeParse(n).success,
        'slot name': (n) => slotNameSchema.safeParse(n).success,
        'question id': (id) => questionIdSchema.safeParse(id).success,
        'voter id': (id) => voterIdSchema.safeParse(id).success,
        'cue id': (id) => cueSchema.safeParse({ id, streamTimeMs: 0, kind: 'k', data: null }).success,
        'call id and method': (id) => presenterToNodeSchema.safeParse({ type: 'call', id, method: id }).success,
      },
      L.MAX_ID_CHARS,
      L.MAX_ID_CHARS + 1,
    );
    // Ids made by viewers' pages are at least MIN_CLIENT_ID_CHARS long.
    agree(
      { 'question id': (id) => questionIdSchema.safeParse(id).success, 'voter id': (id) => voterIdSchema.safeParse(id).success },
      L.MIN_CLIENT_ID_CHARS,
      L.MIN_CLIENT_ID_CHARS - 1,
    );
    // Stream names are path segments: no dot, unlike node ids and object names.
    expect(isValidStreamName('a.b')).toBe(false);
    expect(nodeConfigSchema.safeParse({ nodeId: 'a.b' }).success).toBe(true);
  });

  it('bounds a question and the asker name on the page, the node and the engine alike', () => {
    const ask = (text: string, name?: string) => ({ type: 'qa.ask', id: 'question-1', text, ...(name !== undefined ? { name } : {}) });
    agree(
      {
        'viewer qa.ask': (t) => viewerToNodeSchema.safeParse(ask(t)).success,
        'node question': (t) => nodeQuestionSchema.safeParse({ id: 'question-1', text: t, askedAt: 0, votes: 0 }).success,
      },
      L.MAX_QUESTION_CHARS,
      L.MAX_QUESTION_CHARS + 1,
    );
    agree(
      {
        'viewer qa.ask name': (n) => viewerToNodeSchema.safeParse(ask('hi', n)).success,
        'node question name': (n) => nodeQuestionSchema.safeParse({ id: 'question-1', text: 'hi', name: n, askedAt: 0, votes: 0 }).success,
      },
      L.MAX_ASKER_NAME_CHARS,
      L.MAX_ASKER_NAME_CHARS + 1,
    );
  });

  it('bounds cue kinds, cue data, mime types, banner text, chunks, profiles and logos', () => {
    agree(
      {
        'IPC cue.send name': (n) => invokeContract['cue.send'].args.safeParse({ name: n, payload: null }).success,
        'control cue kind': (k) => cueSchema.safeParse({ id: 'c', streamTimeMs: 0, kind: k, data: null }).success,
      },
      L.MAX_CUE_KIND_CHARS,
      L.MAX_CUE_KIND_CHARS + 1,
    );
    const payload = (n: number) => ({ t: chars(n - '{"t":""}'.length) });
    expect(invokeContract['cue.send'].args.safeParse({ name: 'slide', payload: payload(L.MAX_CUE_DATA_BYTES) }).success).toBe(true);
    expect(invokeContract['cue.send'].args.safeParse({ name: 'slide', payload: payload(L.MAX_CUE_DATA_BYTES + 1) }).success).toBe(false);
    agree(
      {
        'IPC live.start': (m) => invokeContract['live.start'].args.safeParse({ source: { kind: 'capture', mimeType: m } }).success,
        'IPC capture.attach': (m) => invokeContract['capture.attach'].args.safeParse({ mimeType: m }).success,
        'engine source spec': (m) => sourceSpecSchema.safeParse({ kind: 'chunks', mimeType: m }).success,
      },
      L.MAX_MIME_TYPE_CHARS,
      L.MAX_MIME_TYPE_CHARS + 1,
    );
    agree({ 'IPC so.set value': (v) => soValueSchema.safeParse(v).success }, L.MAX_SO_TEXT_CHARS, L.MAX_SO_TEXT_CHARS + 1);
    agree({ 'IPC profile.import': (t) => invokeContract['profile.import'].args.safeParse({ text: t }).success }, L.MAX_PROFILE_CHARS, L.MAX_PROFILE_CHARS + 1);
    expect(captureChunkSchema.safeParse(new Uint8Array(L.MAX_CHUNK_BYTES)).success).toBe(true);
    expect(captureChunkSchema.safeParse(new Uint8Array(L.MAX_CHUNK_BYTES + 1)).success).toBe(false);
    const logo = (n: number) => `data:image/png;base64,${chars(n - 'data:image/png;base64,'.length, 'A')}`;
    expect(brandSchema.safeParse({ name: 'x', logo: logo(L.MAX_LOGO_CHARS) }).success).toBe(true);
    expect(brandSchema.safeParse({ name: 'x', logo: logo(L.MAX_LOGO_CHARS + 1) }).success).toBe(false);
  });

  it('bounds shared objects on the node (objects, slots) and on the engine (bytes)', () => {
    const store = new SharedObjectStore(null, log);
    for (let i = 0; i < L.MAX_OBJECTS; i++) expect(typeof store.write(`o${i}`, true, { v: i })).not.toBe('string');
    expect(store.write('one-too-many', true, { v: 1 })).toBe(`At most ${L.MAX_OBJECTS} shared objects per node`);
    const slots = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, i]));
    const fresh = new SharedObjectStore(null, log);
    expect(typeof fresh.write('o0', true, slots(L.MAX_SLOTS))).not.toBe('string');
    expect(fresh.write('o1', true, slots(L.MAX_SLOTS + 1))).toBe(`At most ${L.MAX_SLOTS} slots per shared object`);

    const plane = new ControlPlane({ logger: silentLogger, statsEveryMs: 0 });
    try {
      // The engine refuses an object the nodes could not take in one message (MAX_OBJECT_BYTES).
      expect(L.MAX_OBJECT_BYTES).toBeLessThan(L.MAX_MESSAGE_BYTES);
      expect(() => plane.setSo('big', { v: chars(L.MAX_OBJECT_BYTES - 200) })).not.toThrow();
      expect(() => plane.setSo('bigger', { v: chars(L.MAX_OBJECT_BYTES) })).toThrow(/one object must stay under/);
    } finally {
      plane.dispose();
    }
  });

  it('bounds the questions and votes a node keeps', () => {
    const qa = new QaLog(null, log);
    try {
      // Plain loops, checked once at the end: 210,000 expect() calls would take longer than the store.
      let refused = 0;
      for (let i = 0; i < L.MAX_QUESTIONS_PER_NODE; i++) if (qa.ask(`question-${i}`, 'q', undefined).kind !== 'new') refused++;
      expect(refused).toBe(0);
      expect(qa.ask('question-over', 'q', undefined).kind).toBe('full');
      for (let votes = 0; votes < L.MAX_VOTES_PER_NODE; votes++) if (qa.vote(`question-${votes % 1000}`, `voter-${Math.floor(votes / 1000)}-x`).kind !== 'new') refused++;
      expect(refused).toBe(0);
      expect(qa.vote('question-1', 'voter-over-x').kind).toBe('full');
    } finally {
      qa.close();
    }
  }, 60_000);

  it('keeps the size limits consistent with one control message', () => {
    expect(L.QA_PUBLIC_BYTES).toBeLessThan(L.MAX_OBJECT_BYTES);
    expect(L.MODERATION_BUCKET_BYTES).toBeLessThan(L.MAX_OBJECT_BYTES);
    // A hello with the longest token is far below one message.
    expect(JSON.stringify({ type: 'hello', v: 1, role: 'presenter', token: chars(L.MAX_TOKEN_CHARS) }).length).toBeLessThan(L.MAX_MESSAGE_BYTES / 32);
  });
});
