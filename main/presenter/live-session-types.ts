// The shapes a live session shares with the services that follow it: the running session (its
// engine connection, servers and scope), what goes on air, and what the session is built from.
// Apart from live-session.ts so the state machine's file holds only the state machine.
import type { UploadCheck } from '../../common/ipc-contract.js';
import type { ServerConfig, ServerSetupResult, SetupStatus } from '../../common/streaming.js';
import type { DisposableStore } from '../../common/lifecycle.js';
import type { Logger } from '../engine/base/logger.js';
import type { SourceSpec } from '../engine/encoder/source.js';
import type { PreflightResult, PreflightServer } from '../engine/uplink/preflight.js';
import type { ConnectionOptions, LiveConnection } from './live-connection.js';
import type { EngineServer, PresenterProfile } from './presenter-profile.js';
import type { RecordingPlan } from './recording-watch.js';

/** One session: its engine connection and servers, from Go Live until it ends. */
export interface ActiveSession {
  readonly conn: LiveConnection;
  /** The servers it runs now: servers added or removed while live change this list. */
  readonly servers: EngineServer[];
  /** Servers with a control session (a control URL and a presenter token): Q&A, stage objects, cues. */
  readonly controlServers: number;
  /** Disposed when the session ends, before its connection stops: per-session listeners go here. */
  readonly scope: DisposableStore;
}

/** A session that has just gone on air: what it shows, and which window asked. */
export interface PublishedSession {
  readonly session: ActiveSession;
  readonly onAir: 'capture' | 'test-pattern';
  readonly clientId: string;
}

export interface LiveSessionDeps {
  profile: Pick<PresenterProfile, 'engineServers'>;
  /** A new engine for each session; the session always asks for the uplink controller. */
  createConnection: (opts: ConnectionOptions) => LiveConnection;
  /** Each Go Live's local recording (folder and name), or null when it is off. */
  recordingPlan?: () => Promise<RecordingPlan | null>;
  logger: Logger;
  /** The source used for `test-pattern`: the engine's default unless a test passes a lighter one. */
  testPattern?: SourceSpec;
  setupTimeoutMs?: number;
  now?: () => number;
  /** The setup check without going live ("Test servers"); the engine's unless a test passes another. */
  checkServers?: (servers: ServerConfig[], timeoutMs: number) => Promise<ServerSetupResult[]>;
  /** Test servers' upload check (every Tandem node probed at once); the engine's unless a test passes another. */
  preflight?: (servers: PreflightServer[]) => Promise<PreflightResult>;
}

export interface StartOptions {
  /** A countdown (ms) between a good setup and the first frame, announced to viewers. */
  countdownMs?: number;
  /** Keep the last webcast's Q&A instead of starting a fresh one on every node. */
  continueQa?: boolean;
}

/** What Test servers found, and the sentence for it. */
export interface TestResult {
  setup: SetupStatus;
  message: string;
  upload: UploadCheck | null;
}

