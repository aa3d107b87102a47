import { describe, expect, it } from 'vitest';
import { controlSocketUrl, parseFrame, presenterToNodeSchema, viewerToNodeSchema, nodeToClientSchema, PROTOCOL_VERSION } from '../../common/control-protocol.js';
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
