// The network strip's and the recording's sentences (common/uplink-board.ts): the step in words with
// the video rate against the full one, what gets through against what is needed, paused and slow servers, a tile's
// queue, the recording's line while live and its "saved" panel at Stop (a full disk said too).
import { describe, expect, it } from 'vitest';
import type { RecordingView, UplinkView } from '../../common/ipc-contract.js';
import { fileName, formatBytes, queueWords, recordingLine, recordingSavedWords, uplinkNotes, uplinkStepWords, uplinkUsageWords } from '../../common/uplink-board.js';

const up = (o: Partial<UplinkView>): UplinkView => ({ step: 0, fraction: 1, verdict: 'clear', sentBps: 5_600_000, neededBps: 5_256_000, fullVideoBps: 2_500_000, paused: [], slow: [], ...o });
const rec = (o: Partial<RecordingView>): RecordingView => ({ state: 'recording', files: ['/home/p/Videos/Tandem/Tandem 2026-12-02 16-50-07.mkv'], bytes: 340e6, durationMs: 724_000, freeBytes: 48e9, warning: null, ...o });

describe('the network strip', () => {
  it('says the step: full quality, or reduced with the video rate against the full one', () => {
    expect(uplinkStepWords(up({}))).toBe('Full quality');
    expect(uplinkStepWords(up({ step: 1, fraction: 0.6 }))).toBe('Reduced for your connection: 1.5 Mb/s of 2.5');
    expect(uplinkStepWords(up({ step: 3, fraction: 0.2 }))).toBe('Reduced for your connection: 0.5 Mb/s of 2.5');
    // Nothing to scale (audio only): the step is not the presenter's concern.
    expect(uplinkStepWords(up({ step: 2, fraction: 0.35, fullVideoBps: null }))).toBe('Full quality');
  });

  it('says what gets through against what is needed, and every paused or slow server by name', () => {
    expect(uplinkUsageWords(up({ sentBps: 2_900_000, neededBps: 3_256_000 }))).toBe('Upload: 2.9 Mb/s getting through, 3.3 Mb/s needed');
    expect(uplinkNotes(up({ paused: [{ id: 'c', label: 'Backup 2', reason: 'paused: your upload cannot carry 3 servers' }], slow: [{ id: 'b', label: 'Backup' }] }))).toEqual([
      'Backup 2 paused: your upload cannot carry 3 servers',
      'Backup: its own path is slow (the other servers are fine, so the quality stays)',
    ]);
    expect(queueWords(420)).toBe('queue 0.4 s');
    expect(queueWords(undefined)).toBe('queue 0.0 s');
  });
});

describe('the recording', () => {
  it('says the file, size, length and free space while live, and a full disk in words', () => {
    expect(recordingLine(rec({}))).toBe('Recording: Tandem 2026-12-02 16-50-07.mkv — 340 MB, 12:04 · 48.0 GB free');
    expect(recordingLine(rec({ state: 'failed', warning: 'Recording stopped: the disk is full. The webcast goes on.' }))).toBe('Recording stopped: the disk is full. The webcast goes on.');
  });

  it('at Stop: "Recording saved: <file> — 1.2 GB, 42:10", parts and an early end said too', () => {
    expect(recordingSavedWords(rec({ state: 'finished', bytes: 1.2e9, durationMs: 2_530_000 }))).toBe('Recording saved: Tandem 2026-12-02 16-50-07.mkv — 1.2 GB, 42:10');
    expect(recordingSavedWords(rec({ state: 'finished', files: ['C:\\v\\a.mkv', 'C:\\v\\a (2).mkv'], bytes: 2e6, durationMs: 3_723_000 }))).toBe('Recording saved: a (2).mkv (2 parts) — 2 MB, 1:02:03');
    expect(recordingSavedWords(rec({ state: 'failed', bytes: 5e8, warning: 'Recording stopped: the disk is full. The webcast goes on.' }))).toBe(
      'Recording saved: Tandem 2026-12-02 16-50-07.mkv — 500 MB, 12:04. Recording stopped: the disk is full. The webcast goes on.',
    );
    expect(fileName('C:\\v\\a.mkv')).toBe('a.mkv');
    expect(formatBytes(999)).toBe('999 bytes');
  });
});
