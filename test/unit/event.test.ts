// The one event emitter (common/event.ts), used by the engine, the presenter layer and the node:
// listeners in subscription order, a disposable per subscription, and a throwing listener that
// costs neither the other listeners nor the code that fired.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../../common/event.js';
import { DisposableStore } from '../../common/lifecycle.js';

afterEach(() => vi.restoreAllMocks());

describe('Emitter', () => {
  it('calls every listener in subscription order with the value', () => {
    const e = new Emitter<number>();
    const seen: string[] = [];
    e.event((v) => seen.push(`a${v}`));
    e.event((v) => seen.push(`b${v}`));
    e.fire(1);
    e.fire(2);
    expect(seen).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(e.hasListeners).toBe(true);
  });

  it('stops calling a listener once its subscription is disposed, and disposing twice is harmless', () => {
    const e = new Emitter<string>();
    const seen: string[] = [];
    const sub = e.event((v) => seen.push(v));
    e.fire('x');
    sub.dispose();
    sub.dispose();
    e.fire('y');
    expect(seen).toEqual(['x']);
    expect(e.hasListeners).toBe(false);
  });

  it('registers subscriptions with an owner, which lets them all go at once', () => {
    const e = new Emitter<void>();
    const store = new DisposableStore();
    let calls = 0;
    store.add(e.event(() => calls++));
    store.add(e.event(() => calls++));
    e.fire();
    store.dispose();
    e.fire();
    expect(calls).toBe(2);
  });

  it('delivers one fire to the listeners present when it started, minus those disposed during it', () => {
    const e = new Emitter<number>();
    const seen: string[] = [];
    const second = { dispose: () => {} };
    e.event(() => {
      seen.push('first');
      second.dispose();
      e.event(() => seen.push('late'));
    });
    Object.assign(second, e.event(() => seen.push('second')));
    e.fire(1);
    expect(seen).toEqual(['first']);
    e.fire(2);
    expect(seen).toEqual(['first', 'first', 'late']);
  });

  it('keeps calling the other listeners when one throws, and reports the error outside the fire', () => {
    const queued: Array<() => void> = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => void queued.push(fn));
    const e = new Emitter<number>();
    const seen: number[] = [];
    e.event(() => {
      throw new Error('listener bug');
    });
    e.event((v) => seen.push(v));
    expect(() => e.fire(7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(queued).toHaveLength(1);
    expect(() => queued[0]!()).toThrow('listener bug');
  });

  it('drops every listener on dispose', () => {
    const e = new Emitter<number>();
    let calls = 0;
    e.event(() => calls++);
    e.dispose();
    e.fire(1);
    expect(calls).toBe(0);
    expect(e.hasListeners).toBe(false);
  });
});
