// The status board's one derivation: what each server is, in one word and one sentence, from the
// setup check and the engine's snapshot. The tiles, the setup results and the live header all read
// it from here (and the host's Go Live sentence uses its grammar), so they can never disagree: a
// setup check that only reached a server says "Reachable", and only the server accepting the
// publish makes it "Live".
import type { FailureReason, ServerSetupResult, ServerSnapshot, SetupResult } from './streaming.js';

export type BoardTone = 'ok' | 'warn' | 'bad' | 'idle';

export interface BoardEntry {
  id: string;
  label: string;
  /** One state word: Reachable, Connecting, Live, Reconnecting, Refused, Down, Stopped, … */
  word: string;
  tone: BoardTone;
  /** The reason in a sentence, or '' when the word says it all (never "Live" twice). */
  sentence: string;
  /** The engine stopped trying: the presenter may Retry (or Edit the key). */
  needsPresenter: boolean;
  /** Epoch ms of the last change (for "since 00:12"), null before the engine ran. */
  since: number | null;
}

/** The setup check connects to the application only: it proves the server answers, not that the key is taken. */
export const SETUP_WORDS: Record<SetupResult, string> = {
  ready: 'Reachable',
  refused: 'Refused',
  timeout: 'No answer',
  rejected: 'Rejected',
  unreachable: 'Unreachable',
  'protocol-error': 'Not RTMP',
};

/** Reasons that mean the server refused the publish itself (its key, signature or stream name). */
export const REFUSAL_REASONS: ReadonlySet<FailureReason> = new Set(['key-refused', 'signature-expired', 'publish-rejected', 'stream-in-use', 'app-not-found']);

/** What the presenter should do about a refusal, in a sentence. */
const REFUSAL_SENTENCES: Partial<Record<FailureReason, string>> = {
  'key-refused': 'Refused: check the stream key',
  'publish-rejected': 'Refused: check the stream key',
  'signature-expired': 'Refused: the signed stream key has expired, ask for a new one',
  'stream-in-use': 'Refused: another encoder is already publishing this stream',
  'app-not-found': 'Refused: the server has no such application, check the URL',
};

/** "(1006)", "(ECONNRESET)": codes are for logs, not for a presenter. */
export function withoutCodes(text: string): string {
  return text.replace(/\s*\((?:\d{3,4}|[A-Z][A-Z0-9_]{3,})\)/g, '').trim();
}

/** The engine's sentence, minus the parts the board already says in its own words. */
function engineSentence(message: string): string {
  return withoutCodes(message.replace(/\.?\s*Refused \d+ times in a row: not retrying until you retry or change the key$/, '')).replace(/\.$/, '');
}

export function boardEntry(setup: ServerSetupResult | undefined, snap: ServerSnapshot | undefined): BoardEntry {
  const id = snap?.id ?? setup?.id ?? '';
  const label = snap?.label ?? setup?.label ?? id;
  if (!snap) {
    if (!setup) return { id, label, word: 'Not checked', tone: 'idle', sentence: '', needsPresenter: false, since: null };
    const ok = setup.result === 'ready';
    return {
      id,
      label,
      word: SETUP_WORDS[setup.result],
      tone: ok ? 'ok' : 'bad',
      sentence: ok ? `${withoutCodes(setup.message).replace(/\.$/, '')}; the stream key is checked when you go live` : withoutCodes(setup.message).replace(/\.$/, ''),
      needsPresenter: false,
      since: null,
    };
  }
  const base = { id, label, since: snap.since };
  const refused = snap.reason !== null && REFUSAL_REASONS.has(snap.reason);
  switch (snap.state) {
    case 'live':
      return { ...base, word: 'Live', tone: 'ok', sentence: '', needsPresenter: false };
    case 'connecting':
      return { ...base, word: 'Connecting', tone: 'warn', sentence: '', needsPresenter: false };
    case 'idle':
      return { ...base, word: 'Waiting', tone: 'idle', sentence: '', needsPresenter: false };
    case 'stopped':
      return { ...base, word: 'Stopped', tone: 'idle', sentence: '', needsPresenter: false };
    case 'paused':
      // The uplink controller's call (issue #12): the engine's sentence says why, and it resumes by itself.
      return { ...base, word: 'Paused', tone: 'warn', sentence: `${engineSentence(snap.message)}; it resumes by itself when the upload allows`, needsPresenter: false };
    default:
      break;
  }
  // Between two attempts the snapshot is briefly "failed" with no next attempt too: only the engine's
  // own flag says it stopped trying.
  const gaveUp = snap.state === 'failed' && snap.metrics.waitingForPresenter === true;
  const why = engineSentence(snap.message);
  if (refused) {
    const advice = REFUSAL_SENTENCES[snap.reason as FailureReason] ?? 'Refused';
    const tries = snap.metrics.refusals ?? 0;
    const sentence = gaveUp ? `${advice}. ${why}. Not retrying until you Retry or Edit it.` : `${advice}. ${why}${tries > 0 ? ` (refusal ${tries} of 3)` : ''}.`;
    return { ...base, word: 'Refused', tone: 'bad', sentence, needsPresenter: gaveUp };
  }
  if (gaveUp) return { ...base, word: 'Failed', tone: 'bad', sentence: `${why}.`, needsPresenter: true };
  return { ...base, word: snap.state === 'failed' ? 'Down' : 'Reconnecting', tone: 'warn', sentence: `${why}.`, needsPresenter: false };
}

/** Every server on the board: the snapshot where the engine runs it, else the setup check. */
export function boardEntries(setup: readonly ServerSetupResult[] | null | undefined, snaps: readonly ServerSnapshot[]): BoardEntry[] {
  const byId = new Map(snaps.map((s) => [s.id, s]));
  const ids = [...(setup ?? []).map((s) => s.id), ...snaps.map((s) => s.id)].filter((id, i, all) => all.indexOf(id) === i);
  return ids.map((id) =>
    boardEntry(
      setup?.find((s) => s.id === id),
      byId.get(id),
    ),
  );
}

const NUMBERS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const count = (n: number, noun: string): string => `${NUMBERS[n] ?? n} ${noun}${n === 1 ? '' : 's'}`;

/** "Live on both servers", "Live on 2 of 3 servers", "Live" (one server), "Not live on any server yet". */
export function liveHeadline(live: number, total: number): string {
  if (total <= 0) return 'No servers';
  if (live === 0) return total === 1 ? 'Not live yet' : 'Not live on any server yet';
  if (total === 1) return 'Live';
  if (live === total) return total === 2 ? 'Live on both servers' : `Live on all ${total} servers`;
  return `Live on ${live} of ${total} servers`;
}

/** "Both servers are reachable", "2 of 3 servers are reachable", "The server is reachable". */
export function reachableHeadline(reachable: number, total: number): string {
  if (total === 1) return reachable === 1 ? 'The server is reachable' : 'The server is not reachable';
  if (reachable === total) return total === 2 ? 'Both servers are reachable' : `All ${total} servers are reachable`;
  if (reachable === 0) return `None of the ${count(total, 'server')} is reachable`;
  return `${reachable} of ${total} servers are reachable`;
}
