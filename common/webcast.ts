// The webcast's phases in words, as viewers read them: the viewer page shows these and the node
// answers with the same sentences, so a page and a script client are told one thing.

export const WEBCAST_ENDED = 'The webcast has ended';
export const WEBCAST_ENDED_DETAIL = 'Thanks for watching. This page picks up the next webcast by itself.';
export const STATUS_ENDED = 'Ended';
export const STATUS_STARTING = 'Starting soon';
/** A node without a presenter token: nobody could ever read a question asked there. */
export const QUESTIONS_CLOSED = 'Questions are closed for this webcast';
export const QUESTIONS_ENDED = 'The webcast has ended; questions are closed';
/** The ack of a question while no presenter is connected to the node: true, and not "sent". */
export const QUESTION_KEPT = 'Thanks. The presenter is not connected right now; your question is kept and reaches them when they are.';

/** "Starting in 3…", from the milliseconds left; "Starting now…" once they ran out. */
export function countdownText(remainingMs: number): string {
  const s = Math.ceil(remainingMs / 1000);
  return s > 0 ? `Starting in ${s}…` : 'Starting now…';
}
