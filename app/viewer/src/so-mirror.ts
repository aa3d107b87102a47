// The page's copy of the node's public shared objects, kept by changes: a full `so.sync` (on hello,
// and after a resync) sets an object and its `seq`; each `so.delta` must carry the next `seq` and is
// applied in order (a list slot by its patch, common/shared-object.ts). A delta that skips a number,
// or a patch that does not fit, means a change was missed: the object is asked for again
// (`so.resync`) and deltas wait until its full sync arrives. Without the DOM, so tests and benches
// use the page's own rule.
import type { NodeToClient, Slot } from '../../../common/control-protocol.js';
import { applyListPatch } from '../../../common/shared-object.js';

type Sync = Extract<NodeToClient, { type: 'so.sync' }>;
type Delta = Extract<NodeToClient, { type: 'so.delta' }>;

interface Mirrored {
  /** Null while a resync is asked for: deltas are dropped until the full sync comes. */
  seq: number | null;
  slots: Record<string, Slot>;
}

/** What a message did to the mirror. */
export type MirrorResult =
  /** The object changed: a `so.sync` with its whole current state, for the page's readers. */
  | { kind: 'changed'; sync: Sync }
  /** A change was missed: send this `so.resync` (once per gap). */
  | { kind: 'resync'; name: string }
  | { kind: 'none' };

export class SoMirror {
  private readonly objects = new Map<string, Mirrored>();
  /** Gaps seen, for tests and the page's diagnostics. */
  gaps = 0;

  /** A new session (another node, or the same one again): its seqs start afresh with its full syncs. */
  reset(): void {
    this.objects.clear();
  }

  slots(name: string): Record<string, Slot> | undefined {
    return this.objects.get(name)?.slots;
  }

  apply(m: Sync | Delta): MirrorResult {
    if (m.type === 'so.sync') {
      // A sync without seq is a change from a node that sends whole slots: merged, not replacing.
      const cur = this.objects.get(m.name);
      const slots = m.seq === undefined && cur ? { ...cur.slots, ...m.slots } : { ...m.slots };
      this.objects.set(m.name, { seq: m.seq ?? cur?.seq ?? null, slots });
      return this.changed(m.name, m.changed, slots);
    }
    const cur = this.objects.get(m.name) ?? (m.seq === 1 ? { seq: 0, slots: {} } : undefined);
    if (cur && cur.seq === null) return { kind: 'none' };
    if (cur && cur.seq !== null && m.seq <= cur.seq) return { kind: 'none' };
    if (!cur || m.seq !== cur.seq! + 1) return this.gap(m.name, cur);
    const slots = { ...cur.slots, ...m.slots };
    for (const [k, p] of Object.entries(m.patches ?? {})) {
      const value = applyListPatch(cur.slots[k]?.value, p.patch);
      if (value === null) return this.gap(m.name, cur);
      slots[k] = { version: p.version, value };
    }
    this.objects.set(m.name, { seq: m.seq, slots });
    return this.changed(m.name, [...Object.keys(m.slots), ...Object.keys(m.patches ?? {})], slots);
  }

  private gap(name: string, cur: Mirrored | undefined): MirrorResult {
    this.gaps++;
    this.objects.set(name, { seq: null, slots: cur?.slots ?? {} });
    return { kind: 'resync', name };
  }

  private changed(name: string, changed: string[], slots: Record<string, Slot>): MirrorResult {
    return { kind: 'changed', sync: { type: 'so.sync', name, changed, slots } };
  }
}
