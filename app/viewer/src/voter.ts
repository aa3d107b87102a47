// Ids the page makes: a question's (the engine merges a question by it across nodes and re-sends)
// and the viewer's own voter id, kept in localStorage so a reload does not vote twice.
import { CLIENT_ID_PATTERN } from '../../../common/limits.js';

const VOTER_KEY = 'tandem-voter';

/** `prefix` and 24 random hex digits: within the protocol's client id pattern. */
export function randomId(prefix: string): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Where the voter id is kept (window.localStorage in the page). */
export interface IdStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function voterId(storage: IdStore | null): string {
  try {
    let id = storage?.getItem(VOTER_KEY) ?? null;
    if (!id || !CLIENT_ID_PATTERN.test(id)) {
      id = randomId('v-');
      storage?.setItem(VOTER_KEY, id);
    }
    return id;
  } catch {
    return randomId('v-'); // storage refused (private mode, blocked cookies)
  }
}
