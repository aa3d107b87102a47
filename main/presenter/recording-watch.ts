// The local recording, seen from the presenter layer (issue #12): on by default (a setting turns it
// off), into the recordings folder the shell gives (Videos/Tandem in the app), named by the date and
// time the webcast began. It plans each Go Live's recording, follows its status while live, and
// keeps the finished recording's (real size on disk, its folder) after Stop, so the live view can
// say "Recording saved: … — 1.2 GB, 42:10" until the next Go Live. A folder that cannot be made
// costs the recording, never the webcast: the view says why.
import { mkdir, stat } from 'node:fs/promises';
import type { RecordingView, SettingsView } from '../../common/ipc-contract.js';
import { Emitter } from '../../common/event.js';
import { DisposableStore, type IDisposable } from '../../common/lifecycle.js';
import type { Logger } from '../engine/base/logger.js';
import type { RecordingStatus } from '../engine/recording/recorder.js';
import type { LiveConnection } from './live-connection.js';
import type { LiveSession } from './live-session.js';
import type { PresenterProfile } from './presenter-profile.js';
import { recordingFolderFailed } from './presenter-text.js';

/** What the engine's publish takes to record. */
export interface RecordingPlan {
  dir: string;
  baseName: string;
  minFreeBytes?: number;
}

export interface RecordingWatchOptions {
  /** Where recordings go; null: this app has nowhere to record (the recording is off). */
  dir: string | null;
  logger: Logger;
  /** Below this much free space the recording stops (the engine's default when omitted). */
  minFreeBytes?: number;
  now?: () => Date;
}

/** "Tandem 2026-12-02 16-50-07": sorts by date, and is a valid file name on every system. */
export function recordingBaseName(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `Tandem ${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}-${two(d.getMinutes())}-${two(d.getSeconds())}`;
}

export class RecordingWatch implements IDisposable {
  private last: RecordingView | null = null;
  private conn: LiveConnection | null = null;
  private readonly store = new DisposableStore();
  private readonly now: () => Date;

  private readonly _onChange = new Emitter<void>();
  /** The recording's view changed (the session views re-send). */
  readonly onChange = this._onChange.event;

  constructor(
    session: Pick<LiveSession, 'onSetup' | 'onEnd'>,
    private readonly profile: Pick<PresenterProfile, 'recordingOn' | 'setRecordingOn'>,
    private readonly o: RecordingWatchOptions,
  ) {
    this.now = o.now ?? (() => new Date());
    this.store.add(
      session.onSetup(({ conn, scope }) => {
        // A new webcast: the last one's "saved" panel goes.
        this.conn = conn;
        this.last = null;
        scope.add(conn.onRecording((st) => this.set(st)));
      }),
    );
    // The session's listeners are gone by the time the engine finishes the file: read how it ended.
    this.store.add(session.onEnd(() => void this.finish()));
  }

  /** The running recording (read fresh from the engine: its events come every 2 s), or the last webcast's after Stop. */
  view(): RecordingView | null {
    const st = this.conn?.recordingStatus;
    return st ? { ...st, files: [...st.files] } : this.last;
  }

  async settings(): Promise<SettingsView> {
    return { recording: this.o.dir !== null && (await this.profile.recordingOn()), recordingsDir: this.o.dir };
  }

  async setRecording(on: boolean): Promise<SettingsView> {
    await this.profile.setRecordingOn(on);
    return this.settings();
  }

  /** Go Live's recording, or null when it is off. The folder is made here; failing that, the webcast goes on unrecorded. */
  async plan(): Promise<RecordingPlan | null> {
    const dir = this.o.dir;
    if (dir === null || !(await this.profile.recordingOn())) return null;
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      const warning = recordingFolderFailed(dir, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
      this.o.logger.warn({ err: (err as Error).message }, 'recordings folder could not be made');
      this.last = { state: 'failed', files: [], bytes: 0, durationMs: 0, freeBytes: null, warning };
      this._onChange.fire();
      return null;
    }
    return { dir, baseName: recordingBaseName(this.now()), ...(this.o.minFreeBytes !== undefined ? { minFreeBytes: this.o.minFreeBytes } : {}) };
  }

  dispose(): void {
    this.store.dispose();
    this._onChange.dispose();
  }

  private set(st: RecordingStatus): void {
    this.last = { ...st, files: [...st.files] };
    this._onChange.fire();
  }

  /** After Stop: the engine's last word, with the size the files really have on disk. */
  private async finish(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    const st = conn?.recordingStatus;
    if (!st) return;
    this.set(st);
    const sizes = await Promise.all(st.files.map((f) => stat(f).then((s) => s.size, () => 0)));
    const onDisk = sizes.reduce((n, b) => n + b, 0);
    // A newer session may have begun meanwhile: its recording is the one shown.
    if (this.conn !== null) return;
    this.last = { ...st, files: [...st.files], bytes: onDisk > 0 ? onDisk : st.bytes };
    this._onChange.fire();
  }
}
