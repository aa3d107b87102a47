// Shared objects: named maps of slots (slot → JSON value), each slot versioned on its own. Pure
// functions only, so the node's store, the engine's state and the viewer page agree on the rules.
import type { Json, Slot } from './control-protocol.js';

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
