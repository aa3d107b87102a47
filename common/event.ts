// Typed events: a private Emitter, a public `onX: Event<T>`; subscribing returns a disposable.
import type { IDisposable } from './lifecycle.js';

export type Event<T> = (listener: (e: T) => void) => IDisposable;

export class Emitter<T> {
  private listeners = new Set<(e: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(e: T): void {
    // A throwing listener must not starve the others (or the engine loop that fired).
    for (const l of [...this.listeners]) {
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
