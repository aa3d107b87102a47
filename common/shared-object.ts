// Shared objects: named maps of slots (slot → JSON value), each slot versioned on its own. Pure
// functions only, so the node's store, the engine's state and the viewer page agree on the rules.
import type { Json, ListPatch, Slot } from './control-protocol.js';

export interface SharedObject {
  public: boolean;
  slots: Record<string, Slot>;
}

export interface WriteResult {
  object: SharedObject;
  /** Slots whose value actually changed (the seed's onSync list); empty means nothing to sync. */
  changed: string[];
}

/**
 * A copy of an object's slots without a prototype: a slot name is only ever an own key (the
 * protocol refuses names like `constructor` or `__proto__` too, this keeps it so for any caller).
 */
function slotRecord(current: SharedObject | undefined): Record<string, Slot> {
  const slots = Object.create(null) as Record<string, Slot>;
  if (current) for (const k of Object.keys(current.slots)) slots[k] = current.slots[k]!;
  return slots;
}

function sameJson(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies writes to an object (created when undefined). A slot's version grows by one on each real
 * change; writing the same value again is no change, so a full-state resync only syncs differences.
 * A null value deletes the slot.
 */
export function applyWrite(current: SharedObject | undefined, writes: Record<string, Json>, isPublic = current?.public ?? true): WriteResult {
  const slots = slotRecord(current);
  const changed: string[] = [];
  for (const [name, value] of Object.entries(writes)) {
    const prev = slots[name];
    if (value === null) {
      if (prev && prev.value !== null) {
        slots[name] = { version: prev.version + 1, value: null };
        changed.push(name);
      }
      continue;
    }
    if (prev && sameJson(prev.value, value)) continue;
    slots[name] = { version: (prev?.version ?? 0) + 1, value };
    changed.push(name);
  }
  const publicChanged = current !== undefined && current.public !== isPublic;
  return { object: { public: isPublic, slots }, changed: publicChanged && changed.length === 0 ? Object.keys(slots) : changed };
}

/** Applies a sync received from elsewhere: a slot is taken only when its version is newer. */
export function applySync(current: SharedObject | undefined, incoming: Record<string, Slot>, isPublic = current?.public ?? true): WriteResult {
  const slots = slotRecord(current);
  const changed: string[] = [];
  for (const [name, slot] of Object.entries(incoming)) {
    const prev = slots[name];
    if (prev && prev.version >= slot.version) continue;
    slots[name] = slot;
    changed.push(name);
  }
  return { object: { public: isPublic, slots }, changed };
}

/** Plain values of an object's live slots (deleted slots left out). */
export function valuesOf(o: SharedObject | undefined): Record<string, Json> {
  const out = Object.create(null) as Record<string, Json>;
  for (const [k, s] of Object.entries(o?.slots ?? {})) if (s.value !== null) out[k] = s.value;
  return out;
}

// ---- lists as changes ----------------------------------------------------------------------
// A slot holding a list of records with ids (the Q&A's public view) changes by a patch whose size
// follows what changed, not how long the list is: new or changed records, and the new order as runs
// of the old list and of the new records. The node makes patches, the viewer page applies them.

type Keyed = { id: string } & Record<string, Json>;

/** The list's records by id, or null when it is not a list of records with distinct string ids. */
function keyed(v: Json | undefined): Keyed[] | null {
  if (!Array.isArray(v)) return null;
  const ids = new Set<string>();
  for (const r of v) {
    if (typeof r !== 'object' || r === null || Array.isArray(r) || typeof r.id !== 'string' || ids.has(r.id)) return null;
    ids.add(r.id);
  }
  return v as Keyed[];
}

/** The patch from `prev` to `next`, or null when either is not a list of records with distinct ids. */
export function listPatch(prev: Json | undefined, next: Json): ListPatch | null {
  const a = keyed(prev);
  const b = keyed(next);
  if (!a || !b) return null;
  const at = new Map<string, { i: number; json: string }>();
  a.forEach((r, i) => at.set(r.id, { i, json: JSON.stringify(r) }));
  const set: Json[] = [];
  const order: ListPatch['order'] = [];
  const push = (from: 0 | 1, i: number) => {
    const last = order.at(-1);
    if (last && last[0] === from && last[1] + last[2] === i) last[2]++;
    else order.push([from, i, 1]);
  };
  for (const r of b) {
    const old = at.get(r.id);
    if (!old) {
      push(1, set.length);
      set.push(r);
      continue;
    }
    // A changed record keeps its run of the old list; its new value travels in `set`.
    if (old.json !== JSON.stringify(r)) set.push(r);
    push(0, old.i);
  }
  return { set, order };
}

/** The list a patch makes of `prev`, or null when the patch does not fit it (the caller resyncs). */
export function applyListPatch(prev: Json | undefined, patch: ListPatch): Json[] | null {
  const a = keyed(prev ?? []);
  const set = keyed(patch.set);
  if (!a || !set) return null;
  const changed = new Map(set.map((r) => [r.id, r]));
  const out: Json[] = [];
  for (const [from, start, count] of patch.order) {
    const src = from === 0 ? a : set;
    if (start + count > src.length) return null;
    for (let i = start; i < start + count; i++) out.push(from === 0 ? (changed.get(src[i]!.id) ?? src[i]!) : src[i]!);
  }
  return keyed(out) ? out : null;
}
