// The renderer's side of the recording setting and the recording's panel, against the real presenter
// layer (fake engine) through the real IPC table: the switch shows the host's setting (on by
// default), turning it off is kept by the host and the next Go Live records nothing, and after Stop
// the session the store holds still carries the finished recording for the "Recording saved" panel.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingSavedWords } from '../../common/uplink-board.js';
import { bindStore, createAppStore } from '../../renderer/src/store/app-store.js';
import { fakeApi } from '../support/studio-fake-api.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('settings slice and the recording panel', () => {
  it('shows recording on by default, keeps it off when turned off, and the saved recording after Stop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-store-rec-'));
    dirs.push(dir);
    const api = fakeApi({}, 'w1', { recordingsDir: dir });
    await api.host.profile.save({ id: 'a', url: 'rtmp://127.0.0.1:1/live/k' });
    const store = createAppStore(api);
    await bindStore(store, api);
    expect(store.getState().settings).toEqual({ recording: true, recordingsDir: dir });

    await store.getState().setRecording(false);
    expect(store.getState().settings?.recording).toBe(false);
    expect(await api.host.profile.recordingOn()).toBe(false);
    await store.getState().goLive({ kind: 'test-pattern' });
    expect(api.conns[0]!.publishOptions?.recording).toBeUndefined();
    await store.getState().stop();
    expect(store.getState().session?.recording).toBeNull();

    await store.getState().setRecording(true);
    await store.getState().goLive({ kind: 'test-pattern' });
    const conn = api.conns[1]!;
    const file = path.join(dir, `${conn.publishOptions!.recording!.baseName}.mkv`);
    fs.writeFileSync(file, Buffer.alloc(2_000_000));
    conn.recordingStatus = { state: 'finished', files: [file], bytes: 1_900_000, durationMs: 65_000, freeBytes: 1e10, warning: null };
    await store.getState().stop();
    const deadline = Date.now() + 5000;
    while (store.getState().session?.recording?.bytes !== 2_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const rec = store.getState().session!.recording!;
    expect(store.getState().session?.state).toBe('idle');
    expect(recordingSavedWords(rec)).toBe(`Recording saved: ${path.basename(file)} — 2 MB, 01:05`);
    await api.host.shutdown();
  });
});
