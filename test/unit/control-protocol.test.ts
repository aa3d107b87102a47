import { describe, expect, it } from 'vitest';
import { controlSocketUrl, parseFrame, presenterToNodeSchema, viewerToNodeSchema, nodeToClientSchema, PROTOCOL_VERSION, type Json } from '../../common/control-protocol.js';
import { applySync, applyWrite, valuesOf } from '../../common/shared-object.js';

describe('control protocol', () => {
  it('parses frames from unknown and refuses non-objects', () => {
    expect(parseFrame('{"type":"hello"}')).toEqual({ type: 'hello' });
    expect(parseFrame(new TextEncoder().encode('{"type":"x","a":1}'))).toEqual({ type: 'x', a: 1 });
    for (const bad of ['', 'nope', '[]', 'null', '{"type":3}', '{}', 42, undefined, {}]) expect(parseFrame(bad)).toBeNull();
  });

  it('derives the control socket URL from a node base URL or takes a ws URL as is', () => {
    expect(controlSocketUrl('http://10.0.0.5:8080')).toBe('ws://10.0.0.5:8080/control');
    expect(controlSocketUrl('https://node.example/')).toBe('wss://node.example/control');
    expect(controlSocketUrl('ws://127.0.0.1:9/control')).toBe('ws://127.0.0.1:9/control');
  });

  it('keeps a base URL\'s path prefix (a node behind a reverse proxy) and does not add /control twice', () => {
    expect(controlSocketUrl('https://host/tandem')).toBe('wss://host/tandem/control');
    expect(controlSocketUrl('https://host/tandem/')).toBe('wss://host/tandem/control');
    expect(controlSocketUrl('http://host:8080/a/b')).toBe('ws://host:8080/a/b/control');
    expect(controlSocketUrl('https://host/tandem/control')).toBe('wss://host/tandem/control');
    expect(controlSocketUrl('https://host/tandem/control/')).toBe('wss://host/tandem/control');
    expect(controlSocketUrl('http://host/control')).toBe('ws://host/control');
    expect(controlSocketUrl('http://host/mycontrol')).toBe('ws://host/mycontrol/control');
    // A ws URL names the socket: taken as is, unless it has no path at all.
    expect(controlSocketUrl('wss://host/tandem/socket')).toBe('wss://host/tandem/socket');
    expect(controlSocketUrl('ws://127.0.0.1:9')).toBe('ws://127.0.0.1:9/control');
    expect(() => controlSocketUrl('not a url')).toThrow();
  });

  it('carries voter ids to presenters and pages qa.list, both optional for older nodes', () => {
    expect(nodeToClientSchema.safeParse({ type: 'qa.votes', questionId: 'question-1', votes: 2 }).success).toBe(true);
    expect(nodeToClientSchema.safeParse({ type: 'qa.votes', questionId: 'question-1', votes: 2, voterId: 'voter-0001' }).success).toBe(true);
    expect(nodeToClientSchema.safeParse({ type: 'qa.votes', questionId: 'question-1', votes: 2, voterId: '<b>' }).success).toBe(false);
    expect(nodeToClientSchema.safeParse({ type: 'qa.list', id: 'L', questions: [], votes: {} }).success).toBe(true);
    const page = { type: 'qa.list', id: 'L', questions: [], votes: { 'question-1': 1 }, voters: { 'question-1': ['voter-0001'] }, part: 0, last: true };
    expect(nodeToClientSchema.safeParse(page).success).toBe(true);
    expect(nodeToClientSchema.safeParse({ ...page, voters: { 'question-1': 'voter-0001' } }).success).toBe(false);
    expect(nodeToClientSchema.safeParse({ ...page, part: -1 }).success).toBe(false);
  });

  it('validates viewer messages: question length, id shape, no presenter types', () => {
    expect(viewerToNodeSchema.safeParse({ type: 'qa.ask', id: 'abcdefgh', text: 'hi' }).success).toBe(true);
    expect(viewerToNodeSchema.safeParse({ type: 'qa.ask', id: 'abcdefgh', text: 'x'.repeat(501) }).success).toBe(false);
    expect(viewerToNodeSchema.safeParse({ type: 'qa.ask', id: 'a<b>', text: 'hi' }).success).toBe(false);
    expect(viewerToNodeSchema.safeParse({ type: 'qa.ask', id: 'abcdefgh', text: '   ' }).success).toBe(false);
    expect(viewerToNodeSchema.safeParse({ type: 'so.set', name: 'x', slots: {} }).success).toBe(false);
  });

  it('validates presenter messages and node replies', () => {
    expect(presenterToNodeSchema.parse({ type: 'so.set', name: 'slides', slots: { title: 'Intro' } })).toMatchObject({ public: true });
    expect(presenterToNodeSchema.safeParse({ type: 'so.set', name: 'bad name', slots: {} }).success).toBe(false);
    expect(presenterToNodeSchema.parse({ type: 'call', id: '1', method: 'ping' })).toMatchObject({ args: [] });
    expect(nodeToClientSchema.safeParse({ type: 'welcome', v: PROTOCOL_VERSION, role: 'viewer', nodeId: 'n' }).success).toBe(true);
    expect(nodeToClientSchema.safeParse({ type: 'error', code: 'made-up', message: '' }).success).toBe(false);
  });
});

describe('shared objects', () => {
  it('versions each slot and reports only the slots that changed', () => {
    const a = applyWrite(undefined, { title: 'Intro', page: 1 });
    expect(a.changed.sort()).toEqual(['page', 'title']);
    const b = applyWrite(a.object, { title: 'Intro', page: 2 });
    expect(b.changed).toEqual(['page']);
    expect(b.object.slots.page).toEqual({ version: 2, value: 2 });
    expect(b.object.slots.title!.version).toBe(1);
    const c = applyWrite(b.object, { page: null });
    expect(c.changed).toEqual(['page']);
    expect(valuesOf(c.object)).toEqual({ title: 'Intro' });
    expect(applyWrite(c.object, { page: null }).changed).toEqual([]);
  });

  it('takes synced slots only when their version is newer', () => {
    const a = applyWrite(undefined, { title: 'Intro' }).object;
    expect(applySync(a, { title: { version: 1, value: 'Old' } }).changed).toEqual([]);
    const r = applySync(a, { title: { version: 2, value: 'Next' }, x: { version: 1, value: true } });
    expect(r.changed).toEqual(['title', 'x']);
    expect(valuesOf(r.object)).toEqual({ title: 'Next', x: true });
  });
});

describe('ids and names that are Object.prototype properties', () => {
  // Each matches the id/name pattern; as keys they would reach Object.prototype in a plain object.
  const reserved = ['constructor', '__proto__', 'hasOwnProperty', 'isPrototypeOf', 'toLocaleString', '__defineGetter__', 'propertyIsEnumerable'];

  it('are refused as question and voter ids, with a sentence for the viewer', () => {
    for (const id of reserved) {
      const ask = viewerToNodeSchema.safeParse(JSON.parse(JSON.stringify({ type: 'qa.ask', id, text: 'hi' })));
      expect(ask.success, id).toBe(false);
      expect(ask.error?.issues[0]?.message).toContain('reserved');
      expect(viewerToNodeSchema.safeParse({ type: 'qa.vote', questionId: id, voterId: 'voter-0001' }).success, id).toBe(false);
      expect(viewerToNodeSchema.safeParse({ type: 'qa.vote', questionId: 'question-1', voterId: id }).success, id).toBe(false);
      expect(nodeToClientSchema.safeParse({ type: 'qa.asked', question: { id, text: 't', askedAt: 1, votes: 0 } }).success, id).toBe(false);
    }
    expect(viewerToNodeSchema.safeParse({ type: 'qa.ask', id: 'constructor-1', text: 'hi' }).success).toBe(true);
    expect(viewerToNodeSchema.safeParse({ type: 'qa.vote', questionId: 'question-1', voterId: 'voter-0001' }).success).toBe(true);
  });

  it('are refused as shared-object and slot names (toString and valueOf too)', () => {
    for (const name of [...reserved, 'toString', 'valueOf']) {
      expect(presenterToNodeSchema.safeParse({ type: 'so.set', name, slots: {} }).success, name).toBe(false);
      if (name === '__proto__') continue; // as a record key: dropped by the parser, see below
      expect(presenterToNodeSchema.safeParse({ type: 'so.set', name: 'banner', slots: { [name]: 1 } }).success, name).toBe(false);
      expect(presenterToNodeSchema.safeParse({ type: 'so.state', objects: { [name]: { public: true, slots: {} } } }).success, name).toBe(false);
    }
    // A JSON `__proto__` key (an own property after JSON.parse) never becomes a slot or an object.
    const m = presenterToNodeSchema.parse(JSON.parse('{"type":"so.set","name":"banner","slots":{"__proto__":{"polluted":1},"title":"x"}}'));
    expect(m.type === 'so.set' && Object.keys(m.slots)).toEqual(['title']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stay plain data in shared objects written without the schema', () => {
    const writes = JSON.parse('{"__proto__":{"polluted":1},"constructor":"c","toString":"t"}') as Record<string, Json>;
    const r = applyWrite(undefined, writes);
    expect(r.changed.sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(valuesOf(r.object)).toEqual(writes);
    expect(Object.getPrototypeOf(r.object.slots)).toBeNull();
    expect(applyWrite(r.object, { constructor: 'c' }).changed).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
