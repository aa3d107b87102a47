// Every sentence the presenter reads from the presenter layer, in one place: what went live and
// what did not, why a button did nothing, what the Q&A panel says. The services throw and return
// these; keeping them here keeps the wording consistent and lets a test read them all at once.
// Log messages are not here: they are for whoever reads the log, not the presenter.
import { reachableHeadline, withoutCodes } from '../../common/server-board.js';
import type { SetupStatus } from '../../common/streaming.js';

// ---- Going live ---------------------------------------------------------------------------------

export const ALREADY_LIVE = 'Already live';
export const SESSION_BUSY = 'A session is starting or stopping; try again in a moment';
export const NO_SERVERS = 'Add at least one server before going live';
export const STOPPED_BEFORE_LIVE = 'Stopped before going live';
export const NOT_LIVE = 'Not live: go live first';
export const TEST_WHILE_LIVE = 'Going live has begun: its own check replaces the test';
export const IMPORT_WHILE_LIVE = 'Stop the webcast before importing another cluster profile';
export const APP_CLOSING = 'The app is shutting down';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Go Live's answer when the engine started: the setup check reached the application, which proves
 * the server answers but not that it takes the key, so this says "reachable" and "going live"; the
 * tiles say "Live" once each server accepts the publish.
 */
export function liveMessage(setup: SetupStatus): string {
  const total = setup.servers.length;
  const down = setup.servers.filter((s) => s.result !== 'ready');
  const head = `${reachableHeadline(total - down.length, total)}: going live.`;
  if (down.length === 0) return head;
  const join = down.length === 1 ? 'It joins by itself as soon as it answers.' : 'They join by themselves as soon as they answer.';
  return `${head} Not reachable: ${down.map((s) => `${s.label} (${withoutCodes(s.message).replace(/\.$/, '')})`).join('; ')}. ${join}`;
}

/** What "Test servers" found: reachability only (the key is proved by going live). */
export function testMessage(setup: SetupStatus): string {
  const total = setup.servers.length;
  const ok = setup.servers.filter((s) => s.result === 'ready').length;
  return `${reachableHeadline(ok, total)}. The stream keys are checked when you go live.`;
}

/** Go Live's answer when setup left nowhere to go live (or `requireAll` and one was not ready). */
export function notLiveMessage(setup: SetupStatus, requireAll: boolean): string {
  const down = setup.servers.filter((s) => s.result !== 'ready');
  const list = down.map((s) => `${s.label}: ${withoutCodes(s.message)}`).join('; ');
  return requireAll ? `Not live: every server must be reachable, and these are not: ${list}` : `Not live: no server is reachable. ${list}`;
}

// ---- The control plane (Q&A, what viewers see, cues) ---------------------------------------------

/** What the presenter tried, completing "you can … while live" and "there is no way to …". */
export const DOING = {
  moderate: 'moderate questions',
  stage: 'update what viewers see',
  cues: 'send cues',
} as const;
export type Doing = (typeof DOING)[keyof typeof DOING];

export const needsLive = (what: Doing): string => `Go live first: you can ${what} while live`;
export const needsControl = (what: Doing): string =>
  `None of your servers has a control session (a Tandem node with a control URL and presenter token), so there is no way to ${what}`;

export const QA_NO_CONTROL = "Q&A appears when your servers run Tandem's control plane: give a Tandem node a control URL and presenter token.";
export const QA_NOT_LIVE = 'Q&A opens when you go live: questions come in through your Tandem nodes.';
export const QA_ENDED = 'The webcast has ended. Export keeps its questions.';
export const QA_NOTHING_TO_EXPORT = 'There are no questions to export yet: go live first';
export const qaFromNodes = (n: number): string => `Questions from ${plural(n, 'Tandem node')}.`;
export const objectTooLarge = (object: string): string => `"${object}" would be too large for the servers to take: clear some of its slots first`;

// ---- Servers and cluster profiles ------------------------------------------------------------------

export const noServerToEdit = (id: string): string => `There is no server "${id}" to edit`;
export const noServer = (id: string): string => `There is no server "${id}"`;
export const serverIdTaken = (id: string): string => `A server with the id "${id}" already exists`;
export const ID_TAKEN = 'This id is taken';
export const PROFILE_NOT_JSON = 'This file is not a cluster profile: it is not JSON';
export const profileInvalid = (where: string | null): string => `This cluster profile is not valid: ${where ?? 'unknown problem'}`;
export const settingsUnreadable = (why: string): string => `The settings could not be read: ${why}`;
export const settingsUnsaved = (why: string): string => `The settings could not be saved: ${why}`;
export const secretsDamaged = (file: string): string => `The secrets file ${file} is damaged; remove it and enter the stream keys and tokens again`;
export const NO_KEYRING = 'This computer offers no secure storage for stream keys (no keyring). Start a keyring (e.g. GNOME Keyring) and try again.';

// ---- Requests that never reach a service -----------------------------------------------------------

export const UNKNOWN_REQUEST = "This request is not part of the app's contract";
export const INVALID_REQUEST = 'Invalid request';
export const REQUEST_NOT_VALID = 'The request is not valid';
export const INTERNAL_ERROR = 'Something went wrong in the app; the details are in its log';

// ---- The local recording ---------------------------------------------------------------------------

export const recordingFolderFailed = (dir: string, why: string): string =>
  `Not recording: the folder ${dir} could not be made (${why}). The webcast goes on.`;
