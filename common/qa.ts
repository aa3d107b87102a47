// The Q&A's contract: what the node, the engine and the viewer page all name the same way. The
// public `qa` shared object (the moderated questions viewers see), the statuses a question can
// have, and the presenter-only moderation objects' names, which a node keeps apart from the
// application's own objects. The engine's merge, ranking, moderation buckets and exports are its
// own logic, in main/engine/control/qa/.

/** The public shared object viewers read the moderated questions from. */
export const QA_OBJECT = 'qa';
export const questionStatuses = ['pending', 'approved', 'dismissed', 'answered'] as const;
export type QuestionStatus = (typeof questionStatuses)[number];

/** One question of the `qa` object's `questions` slot (its `pinned` slot holds the pinned id, or ''). */
export interface PublicQuestion {
  id: string;
  text: string;
  name?: string;
  votes: number;
  answered: boolean;
  pinned: boolean;
}

/**
 * Presenter-only shared objects holding the moderation, so a restarted engine can take it back:
 * `qa.moderation` holds the flags (pre-moderation, pin), and every question's status lives in one
 * of MODERATION_BUCKETS objects `qa.moderation.<n>`. Nodes keep exactly these names apart from the
 * application's objects; the engine alone decides what is in them.
 */
export const QA_MODERATION_OBJECT = 'qa.moderation';
export const MODERATION_BUCKETS = 64;

export const moderationBucketName = (n: number): string => `${QA_MODERATION_OBJECT}.${n}`;

/** The bucket number of a `qa.moderation.<n>` object name, or null for any other name. */
export function moderationBucketIndex(name: string): number | null {
  const m = /^qa\.moderation\.(\d{1,3})$/.exec(name);
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n < MODERATION_BUCKETS ? n : null;
}
