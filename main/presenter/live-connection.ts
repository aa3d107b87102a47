// The part of the engine the presenter layer drives, as interfaces: the app passes the real
// MultiConnection (and its ControlPlane), tests a fake that records what was asked of it. Keeping
// the port this narrow is what lets every presenter service be tested without ffmpeg or sockets.
import type { Cue, Json } from '../../common/control-protocol.js';
import type { Event } from '../../common/event.js';
import type { ServerConfig, ServerSetupResult, ServerSnapshot, SetupStatus } from '../../common/streaming.js';
import type { ControlPlane } from '../engine/control/control-plane.js';
import type { EncoderStatus } from '../engine/encoder/encoder.js';
import type { SourceSpec } from '../engine/encoder/source.js';
import type { PublishOptions } from '../engine/publish-options.js';
import type { RecordingStatus } from '../engine/recording/recorder.js';
import type { EncoderRates } from '../engine/uplink/uplink-controller.js';
import type { UplinkLoopOptions, UplinkState } from '../engine/uplink/uplink-loop.js';

/** What a live session asks of each new engine: the uplink controller always runs in the app. */
export interface ConnectionOptions {
  uplink: UplinkLoopOptions;
}

/** The part of MultiConnection a live session uses. */
export interface LiveConnection {
  connect(servers: ServerConfig[], opts?: { timeoutMs?: number }): Promise<SetupStatus>;
  publish(source: SourceSpec, opts?: PublishOptions): Promise<void>;
  switchSource(source: SourceSpec): Promise<void>;
  pushChunk(chunk: Buffer): boolean;
  snapshots(): ServerSnapshot[];
  /** The setup results, with servers added while live. */
  readonly setupStatus: SetupStatus | null;
  /** Publishes to a server again now (the presenter's Retry), with an edited URL or key if given. */
  retry(id: string, change?: { url?: string; streamKey?: string }): void;
  /** While live: a new server joins (setup check, then its own relay); the others are untouched. */
  addServer(server: ServerConfig, opts?: { timeoutMs?: number }): Promise<ServerSetupResult>;
  /** While live: one server stops and leaves. */
  removeServer(id: string): Promise<void>;
  /** While live: an edited URL, key or label applies to that server only. */
  updateServer(id: string, server: ServerConfig): void;
  stop(): Promise<void>;
  readonly onServerStatus: Event<ServerSnapshot>;
  readonly onEncoderStatus: Event<EncoderStatus>;
  /** The uplink controller's step, verdict or paused servers changed. */
  readonly onUplink: Event<UplinkState>;
  /** The local recording's file, size, disk space or warning changed. */
  readonly onRecording: Event<RecordingStatus>;
  /** The camera's encoder (in the renderer) should take this video bitrate. */
  readonly onVideoBitrate: Event<number>;
  /** The controller's last reading (updated every tick), null before the first. */
  readonly uplinkState: UplinkState | null;
  /** The recording's status (after stop: how it ended), null without one. */
  readonly recordingStatus: RecordingStatus | null;
  /** The encoder's full rates, null when nothing adapts. */
  readonly encoderRates: EncoderRates | null;
  /** The control plane: Q&A, shared objects and cues across every Tandem node. */
  readonly control: LiveControl;
  /** Sends a cue stamped with the current stream time, on each server's own timeline. */
  nsSend(kind: string, data: Json): Cue;
}

/** The part of the engine's ControlPlane the presenter services delegate to. */
export type LiveControl = Pick<
  ControlPlane,
  'onQuestions' | 'onStatus' | 'onNodeStats' | 'qaState' | 'moderate' | 'exportQa' | 'setSo' | 'getSo' | 'countdown' | 'beginWebcast' | 'endWebcast' | 'previousQaExport'
>;
