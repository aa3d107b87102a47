// What viewers see of the Q&A: the ranking of the moderated questions and the public `qa` shared
// object built from it (its shape is the contract in common/qa.ts).
import type { Json } from '../../../../common/control-protocol.js';
import { QA_PUBLIC_BYTES } from '../../../../common/limits.js';
import type { PublicQuestion } from '../../../../common/qa.js';
import type { QaState } from './qa-state.js';

/**
 * The moderated view viewers see: approved and answered questions, pinned first, answered last,
 * then by votes, and among equal votes the newest first (so new questions get seen at all).
 */
export function publicView(s: QaState, limit = 100): PublicQuestion[] {
  return Object.values(s.questions)
    .filter((q) => q.status === 'approved' || q.status === 'answered')
    .sort((a, b) => b.askedAt - a.askedAt || a.id.localeCompare(b.id))
    .map((q): PublicQuestion => ({
      id: q.id,
      text: q.text,
      ...(q.name ? { name: q.name } : {}),
      votes: q.votes,
      answered: q.status === 'answered',
      pinned: q.id === s.pinnedId,
    }))
    // Array.prototype.sort is stable: equal keys keep the newest-first order from above.
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || Number(a.answered) - Number(b.answered) || b.votes - a.votes)
    .slice(0, limit);
}

/**
 * Slots of the `qa` shared object for a state. The list is cut (lowest-ranked questions first) to
 * stay within `maxBytes` of JSON (QA_PUBLIC_BYTES), so the write always fits in one control message.
 */
export function publicSlots(s: QaState, maxBytes = QA_PUBLIC_BYTES): Record<string, Json> {
  const view = publicView(s);
  const enc = new TextEncoder();
  let bytes = 2;
  let keep = 0;
  for (const q of view) {
    const n = enc.encode(JSON.stringify(q)).length + 1;
    if (bytes + n > maxBytes) break;
    bytes += n;
    keep++;
  }
  const shown = view.slice(0, keep);
  return { questions: shown as unknown as Json, pinned: s.pinnedId && shown.some((q) => q.id === s.pinnedId) ? s.pinnedId : '' };
}
