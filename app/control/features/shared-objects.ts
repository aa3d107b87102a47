// Shared objects on a node: presenters write them (`so.set`, and `so.state`, the engine's full
// state after a (re)connect, applied as writes so only real changes sync); every change goes to
// the presenters and, for a public object, to the viewers; a client that says hello gets every
// object its role may see. Stored (and persisted) by so-store.ts.
//
// Viewers that take deltas (hello `delta: true`, the viewer page) get each public object in full
// once, then only its changes: each change has the object's next `seq`, and a list of records
// (the Q&A's public view) changes by a patch, so a change costs what changed, not the whole list.
// A viewer that sees a gap asks again (`so.resync`). Each message is serialized (and deflated)
// once for all viewers, not once per viewer.
import { deflateRawSync } from 'node:zlib';
import type { Json, NodeToClient, Slot } from '../../../common/control-protocol.js';
import { listPatch, type SharedObject } from '../../../common/shared-object.js';
import type { Logger } from '../../logger.js';
import type { ControlHub, ControlPeer, Role } from '../connection.js';
import { SharedObjectStore } from '../so-store.js';

/** Below this a message goes as text even to a viewer that takes deflate: the saving would be a few bytes. */
const DEFLATE_MIN_BYTES = 256;

type Delta = Extract<NodeToClient, { type: 'so.delta' }>;

/** One message in the forms viewers take, each made at most once however many viewers get it. */
class Encoded {
  private text: string | null = null;
  private zipped: Buffer | string | null = null;

  constructor(private readonly m: NodeToClient) {}

  for(peer: ControlPeer): string | Buffer {
    this.text ??= JSON.stringify(this.m);
    if (!peer.caps.deflate || this.text.length < DEFLATE_MIN_BYTES) return this.text;
    this.zipped ??= deflateRawSync(this.text);
    return this.zipped;
  }
}

export class SharedObjectsFeature {
  private readonly store: SharedObjectStore;
  /** Changes per object since this node started: what `so.delta` counts in. */
  private readonly seqs = new Map<string, number>();
  /** The full sync a delta viewer gets of an object, made once per change (a join storm reuses it). */
  private readonly full = new Map<string, { seq: number; msg: Encoded }>();

  /** `file`: where the objects persist (shared-objects.json); null keeps them in memory only. */
  constructor(file: string | null, log: Logger, private readonly hub: ControlHub) {
    this.store = new SharedObjectStore(file, log);
  }

  get(name: string): SharedObject | undefined {
    return this.store.get(name);
  }

  /** After a hello: every object the role may see (viewers: the public ones), all slots. */
  syncTo(peer: ControlPeer, role: Role): void {
    for (const [name, o] of this.store.entries()) {
      if (role === 'viewer' && !o.public) continue;
      if (role === 'viewer' && peer.caps.delta) peer.sendText(this.fullSync(name, o).for(peer));
      else peer.send({ type: 'so.sync', name, changed: Object.keys(o.slots), slots: o.slots, public: o.public });
    }
  }

  /** A delta viewer saw a gap in an object's changes: the whole object again, with its current seq. */
  resync(peer: ControlPeer, name: string): void {
    const o = this.store.get(name);
    if (!o || !o.public) return peer.error('bad-message', 'No such shared object', name);
    peer.sendText(this.fullSync(name, o).for(peer));
  }

  /** A presenter's write; a bound passed is refused to that presenter as `full`. */
  write(peer: ControlPeer, name: string, isPublic: boolean, slots: Record<string, Json>): void {
    const before = this.store.get(name);
    const r = this.store.write(name, isPublic, slots);
    if (typeof r === 'string') return peer.error('full', r, name);
    if (r.changed.length === 0) return;
    const seq = (this.seqs.get(name) ?? 0) + 1;
    this.seqs.set(name, seq);
    const changedSlots = Object.fromEntries(r.changed.map((k) => [k, r.object.slots[k]!]));
    const msg = { type: 'so.sync', name, changed: r.changed, slots: changedSlots, public: isPublic } as const;
    this.hub.toPresenters(msg);
    if (!isPublic) return;
    const legacy = new Encoded(msg);
    const delta = new Encoded(this.delta(name, seq, before, changedSlots));
    for (const v of this.hub.viewers()) v.sendText((v.caps.delta ? delta : legacy).for(v));
  }

  /** Writes pending state now (on stop). */
  flush(): void {
    this.store.flush();
  }

  private fullSync(name: string, o: SharedObject): Encoded {
    const seq = this.seqs.get(name) ?? 0;
    const cached = this.full.get(name);
    if (cached && cached.seq === seq) return cached.msg;
    const msg = new Encoded({ type: 'so.sync', name, changed: Object.keys(o.slots), slots: o.slots, public: o.public, seq });
    this.full.set(name, { seq, msg });
    return msg;
  }

  /** The change as a delta: a list slot as a patch of its last value when that is smaller. */
  private delta(name: string, seq: number, before: SharedObject | undefined, changed: Record<string, Slot>): Delta {
    const slots: Record<string, Slot> = {};
    const patches: NonNullable<Delta['patches']> = {};
    for (const [k, slot] of Object.entries(changed)) {
      const prev = before?.slots[k];
      const patch = prev && slot.value !== null ? listPatch(prev.value, slot.value) : null;
      if (patch && JSON.stringify(patch).length < JSON.stringify(slot.value).length) patches[k] = { version: slot.version, patch };
      else slots[k] = slot;
    }
    return { type: 'so.delta', name, seq, slots, ...(Object.keys(patches).length > 0 ? { patches } : {}) };
  }
}
