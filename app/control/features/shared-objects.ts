// Shared objects on a node: presenters write them (`so.set`, and `so.state`, the engine's full
// state after a (re)connect, applied as writes so only real changes sync); every change goes to
// the presenters and, for a public object, to the viewers; a client that says hello gets every
// object its role may see. Stored (and persisted) by so-store.ts.
import type { Json } from '../../../common/control-protocol.js';
import type { SharedObject } from '../../../common/shared-object.js';
import type { Logger } from '../../logger.js';
import type { ControlHub, ControlPeer, Role } from '../connection.js';
import { SharedObjectStore } from '../so-store.js';

export class SharedObjectsFeature {
  private readonly store: SharedObjectStore;

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
      peer.send({ type: 'so.sync', name, changed: Object.keys(o.slots), slots: o.slots, public: o.public });
    }
  }

  /** A presenter's write; a bound passed is refused to that presenter as `full`. */
  write(peer: ControlPeer, name: string, isPublic: boolean, slots: Record<string, Json>): void {
    const r = this.store.write(name, isPublic, slots);
    if (typeof r === 'string') return peer.error('full', r, name);
    if (r.changed.length === 0) return;
    const changedSlots = Object.fromEntries(r.changed.map((k) => [k, r.object.slots[k]!]));
    const msg = { type: 'so.sync', name, changed: r.changed, slots: changedSlots, public: isPublic } as const;
    this.hub.toPresenters(msg);
    if (isPublic) this.hub.toViewers(msg);
  }

  /** Writes pending state now (on stop). */
  flush(): void {
    this.store.flush();
  }
}
