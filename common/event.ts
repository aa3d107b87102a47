// Typed events, VS Code style, for every side (engine, presenter layer, node): a private Emitter, a
// public `onX: Event<T>`; subscribing returns a disposable to register with its owner.
import type { IDisposable } from './lifecycle.js';

export type Event<T> = (listener: (e: T) => void) => IDisposable;

export class Emitter<T> {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(e: T): void {
    // A throwing listener must not starve the others (or the engine loop that fired). One that was
    // disposed by an earlier listener of this same fire is not called any more.
    for (const l of [...this.listeners]) {
      if (!this.listeners.has(l)) continue;
      try {
        l(e);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
