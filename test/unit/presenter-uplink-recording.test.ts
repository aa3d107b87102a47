// The presenter layer's side of issue #12: every Go Live asks the engine for the uplink controller,
// records by default into the recordings folder (a setting, persisted, turns it off), shows the
// controller's step and the recording in the session view, forwards the camera's new bitrate to the
// windows, and keeps the finished recording (its real size on disk) on screen after Stop until the
// next Go Live. A folder that cannot be made costs the recording, never the webcast.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingSavedWords, uplinkNotes, uplinkStepWords } from '../../common/uplink-board.js';
import type { RecordingStatus } from '../../main/engine/recording/recorder.js';
import { PresenterProfile } from '../../main/presenter/presenter-profile.js';
import { recordingBaseName } from '../../main/presenter/recording-watch.js';
import { MemorySecretStore, MemorySettingsStore } from '../../main/presenter/storage.js';
import { RecordingClient, fakePresenter } from '../support/studio-fakes.js';

const tmpDirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-rec-test-'));
  tmpDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function make(recordingsDir: string | null, settings = new MemorySettingsStore()) {
  const profile = new PresenterProfile(settings, new MemorySecretStore());
  await profile.save({ id: 'a', label: 'Main', url: 'rtmp://127.0.0.1:1/live/k' });
  await profile.save({ id: 'b', label: 'Backup', url: 'rtmp://127.0.0.1:2/live/k' });
  const { presenter: p, conns } = fakePresenter(profile, { recordingsDir });
  const w1 = new RecordingClient('w1');
  p.windows.attach(w1);
  return { p, conns, w1, settings };
}

const status = (o: Partial<RecordingStatus>): RecordingStatus => ({ state: 'recording', files: [], bytes: 0, durationMs: 0, freeBytes: null, warning: null, ...o });

describe('the presenter and the shared upload', () => {
  it('asks every new engine for the uplink controller, and shows its step with the full video rate and the servers by name', async () => {
    const { p, conns, w1 } = await make(null);
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    const conn = conns[0]!;
    expect(conn.options).toEqual({ uplink: {} });
    expect(p.views.view(null).uplink).toBeNull();
    conn.uplink({ step: 1, fraction: 0.6, verdict: 'upload-short', paused: ['b'], slow: [], reason: 'paused: your upload cannot carry 2 servers', sentBps: 2_900_000, neededBps: 1_628_000 });
    const u = w1.last('session')!.uplink!;
    expect(u).toEqual({
      step: 1,
      fraction: 0.6,
      verdict: 'upload-short',
      sentBps: 2_900_000,
      neededBps: 1_628_000,
      fullVideoBps: 2_500_000,
      paused: [{ id: 'b', label: 'Backup', reason: 'paused: your upload cannot carry 2 servers' }],
      slow: [],
    });
    expect(uplinkStepWords(u)).toBe('Reduced for your connection: 1.5 Mb/s of 2.5');
    expect(uplinkNotes(u)).toEqual(['Backup paused: your upload cannot carry 2 servers']);
    await p.shutdown();
  });

  it("forwards the engine's new camera bitrate to every window", async () => {
    const { p, conns, w1 } = await make(null);
    const w2 = new RecordingClient('w2');
    p.windows.attach(w2);
    await p.session.start({ kind: 'capture', mimeType: 'video/x-matroska;codecs=avc1,opus' }, false, 'w1');
    conns[0]!.videoBitrate(1_500_000);
    expect(w1.last('videoBitrate')).toEqual({ bps: 1_500_000 });
    expect(w2.last('videoBitrate')).toEqual({ bps: 1_500_000 });
    await p.shutdown();
  });
});

describe('the local recording', () => {
  it('is on by default: Go Live records into the folder (made if missing) under the date and time', async () => {
    const dir = path.join(tmp(), 'Videos', 'Tandem');
    const { p, conns } = await make(dir);
    expect(await p.recording.settings()).toEqual({ recording: true, recordingsDir: dir });
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    const rec = conns[0]!.publishOptions?.recording;
    expect(rec?.dir).toBe(dir);
    expect(rec?.baseName).toMatch(/^Tandem \d{4}-\d{2}-\d{2} \d{2}-\d{2}-\d{2}$/);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    await p.shutdown();
    expect(recordingBaseName(new Date(2026, 11, 2, 9, 5, 7))).toBe('Tandem 2026-12-02 09-05-07');
  });

  it('turned off, stays off (persisted with the settings) and Go Live records nothing', async () => {
    const dir = tmp();
    const { p, conns, settings } = await make(dir);
    expect(await p.recording.setRecording(false)).toEqual({ recording: false, recordingsDir: dir });
    // The setting is in the settings document: a new profile on the same store reads it back.
    expect(await new PresenterProfile(settings, new MemorySecretStore()).recordingOn()).toBe(false);
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    expect(conns[0]!.publishOptions).toEqual({ requireAll: false });
    await p.shutdown();
  });

  it('shows the recording while live, and after Stop the finished file with its real size until the next Go Live', async () => {
    const dir = tmp();
    const { p, conns, w1 } = await make(dir);
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    const conn = conns[0]!;
    const file = path.join(dir, `${conn.publishOptions!.recording!.baseName}.mkv`);
    conn.recording(status({ files: [file], bytes: 1000, durationMs: 4000, freeBytes: 5e9 }));
    expect(w1.last('session')!.recording).toMatchObject({ state: 'recording', files: [file], bytes: 1000 });
    // The engine finishes the file at stop: 123,456 bytes on disk, 2530 s of media.
    fs.writeFileSync(file, Buffer.alloc(123_456));
    conn.recordingStatus = status({ state: 'finished', files: [file], bytes: 120_000, durationMs: 2_530_000, freeBytes: 5e9 });
    await p.session.stop('test');
    const deadline = Date.now() + 5000;
    while (w1.last('session')!.recording?.bytes !== 123_456 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const after = w1.last('session')!;
    expect(after.state).toBe('idle');
    expect(after.recording).toMatchObject({ state: 'finished', files: [file], bytes: 123_456, durationMs: 2_530_000 });
    expect(recordingSavedWords(after.recording!)).toBe(`Recording saved: ${path.basename(file)} — 123 kB, 42:10`);
    // The next Go Live starts without the last one's panel.
    await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    expect(p.views.view(null).recording).toBeNull();
    await p.shutdown();
  });

  it('goes live without a recording when its folder cannot be made, and says why', async () => {
    const blocker = path.join(tmp(), 'a-file');
    fs.writeFileSync(blocker, 'x');
    const { p, conns } = await make(path.join(blocker, 'Tandem'));
    const r = await p.session.start({ kind: 'test-pattern' }, false, 'w1');
    expect(r.live).toBe(true);
    expect(conns[0]!.publishOptions?.recording).toBeUndefined();
    const rec = p.views.view(null).recording!;
    expect(rec.state).toBe('failed');
    expect(rec.warning).toMatch(/^Not recording: the folder .*a-file\/Tandem could not be made \(ENOTDIR\)\. The webcast goes on\.$/);
    await p.shutdown();
  });
});
