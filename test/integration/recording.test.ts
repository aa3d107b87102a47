// The local recording (issue #12): real encoder, real ffmpeg remux, real files checked by ffprobe.
// It finishes at stop, plays after the app is killed, and a full disk ends it in words while the
// encoder (the webcast) goes on.
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../main/engine/ffmpeg/find-ffmpeg.js';
import type { RecordingStatus } from '../../main/engine/recording/recorder.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const CHILD = path.resolve('test/support/recorder-child.ts');
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) {
    try {
      execFileSync('umount', [d], { stdio: 'ignore' });
    } catch {
      /* not a mount */
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-rec-'));
  dirs.push(d);
  return d;
}

async function probe(file: string): Promise<{ duration: number; codecs: string[] }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_name: string }[] };
  return { duration: Number(j.format.duration), codecs: j.streams.map((s) => s.codec_name).sort() };
}

/** Errors a full decode of the file reports (empty when it plays cleanly). */
async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run(findFfmpeg(), ['-v', 'error', '-i', file, '-f', 'null', '-']);
  return stderr.trim();
}

interface ChildRun {
  lines: { status?: RecordingStatus; tags?: number; recorded?: number }[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

function recordInChild(argv: string[], wrap: string[] = []): Promise<ChildRun> {
  const cmd = [...wrap, process.execPath, '--import', 'tsx', CHILD, ...argv];
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChildRun['lines'][number]), code, signal }));
  });
}

/** The recording's ffmpeg outlives a killed app: wait until no ffmpeg writes into `dir` any more. */
async function writersGone(dir: string): Promise<void> {
  await waitFor(() => !execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').some((l) => l.includes(dir)), { timeoutMs: 20_000, what: `the recording's ffmpeg in ${dir} to finish` });
}

describe('local recording', () => {
  it('records the webcast as it runs and finishes a playable file at stop, within 1 s of the webcast', async () => {
    const dir = tmp();
    const r = await recordInChild([dir, '5', '0', 'stop']);
    expect(r.code).toBe(0);
    const last = r.lines.filter((l) => l.status).at(-1)!.status!;
    expect(last).toMatchObject({ state: 'finished', warning: null });
    expect(last.files).toEqual([path.join(dir, 'webcast.mkv')]);
    expect(last.bytes).toBeGreaterThan(100_000);
    expect(last.freeBytes).toBeGreaterThan(0);
    const p = await probe(last.files[0]!);
    expect(p.codecs).toEqual(['aac', 'h264']);
    expect(Math.abs(p.duration * 1000 - last.durationMs)).toBeLessThan(1000);
    expect(p.duration).toBeGreaterThan(4);
    expect(await decodeErrors(last.files[0]!)).toBe('');
  });

  it('leaves a playable file when the app is killed mid-webcast', async () => {
    const dir = tmp();
    const r = await recordInChild([dir, '4', '0', 'kill']);
    expect(r.signal).toBe('SIGKILL');
    const recorded = r.lines.find((l) => l.recorded !== undefined)!.recorded!;
    await writersGone(dir);
    const file = path.join(dir, 'webcast.mkv');
    const p = await probe(file);
    expect(p.codecs).toEqual(['aac', 'h264']);
    // What reached ffmpeg before the kill is in the file (the last few frames may still be in flight).
    expect(p.duration * 1000).toBeGreaterThan(recorded - 1000);
    expect(await decodeErrors(file)).toBe('');
  });

  it('stops on a full disk with a warning, and the webcast goes on', async () => {
    const dir = tmp();
    // A 1 MiB disk in a mount namespace of its own: ffmpeg hits ENOSPC within a second or two of 4 Mb/s.
    const script = `mount -t tmpfs -o size=1m tmpfs '${dir}' && exec "$0" "$@"`;
    const r = await recordInChild([dir, '5', '0', 'stop'], ['unshare', '-m', 'sh', '-c', script]);
    expect(r.code).toBe(0);
    const failed = r.lines.find((l) => l.status?.state === 'failed')?.status;
    expect(failed?.warning).toBe('Recording stopped: the disk is full. The webcast goes on.');
    // The encoder kept producing to the end (5 s of media): the webcast did not stop with the recording.
    const end = r.lines.find((l) => l.recorded !== undefined)!;
    expect(end.tags).toBeGreaterThan(5 * 25);
  });

  it('stops before the disk fills when free space drops below the floor', async () => {
    const dir = tmp();
    const r = await recordInChild([dir, '3', String(Number.MAX_SAFE_INTEGER), 'stop']);
    expect(r.code).toBe(0);
    const failed = r.lines.find((l) => l.status?.state === 'failed')?.status;
    expect(failed?.warning).toMatch(/^Recording stopped: the disk is almost full \(\d+ MB left\)\. The webcast goes on\.$/);
    expect(r.lines.find((l) => l.recorded !== undefined)!.tags).toBeGreaterThan(3 * 25);
  });
});
