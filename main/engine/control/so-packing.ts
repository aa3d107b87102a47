// Shared objects on their way to the nodes: the one-object size bound, and packing many writes into
// as few messages as the node's limits take.
import type { Json, PresenterToNode } from '../../../common/control-protocol.js';
import { MAX_OBJECT_BYTES } from '../../../common/limits.js';

export class SharedObjectTooLargeError extends Error {
  readonly code = 'too-large';
  constructor(name: string, bytes: number) {
    super(`Shared object "${name}" would be ${bytes} bytes; one object must stay under ${MAX_OBJECT_BYTES} bytes`);
    this.name = 'SharedObjectTooLargeError';
  }
}

export type ObjectState = { public: boolean; slots: Record<string, Json> };

/**
 * Packs object writes into as few `so.state` messages as fit the node's payload limit (each object
 * alone fits: every write was checked). A node limits the messages per second of a connection, so
 * a resync or a burst of moderation buckets must not be one message per object.
 */
export function packStates(entries: [string, ObjectState][]): PresenterToNode[] {
  const out: PresenterToNode[] = [];
  const budget = MAX_OBJECT_BYTES;
  let objects: Record<string, ObjectState> = {};
  let bytes = 64;
  for (const [name, o] of entries) {
    const n = Buffer.byteLength(JSON.stringify({ [name]: o }));
    if (bytes + n > budget && Object.keys(objects).length > 0) {
      out.push({ type: 'so.state', objects });
      objects = {};
      bytes = 64;
    }
    objects[name] = o;
    bytes += n;
  }
  if (Object.keys(objects).length > 0) out.push({ type: 'so.state', objects });
  return out;
}
