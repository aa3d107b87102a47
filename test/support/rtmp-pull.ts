// Plays a live RTMP stream the way a viewer would and reports every packet as it
// arrives: codec, dts/pts, keyframe flag and wall-clock arrival time. It runs
// ffprobe (under stdbuf, so each packet line leaves its stdout buffer at once),
// starts within a fraction of a second, stops whenever asked and never outlives
// durationMs. Helpers below turn packets into the numbers tests assert on.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

export type CodecType = 'video' | 'audio' | 'data' | 'subtitle' | 'unknown';

export interface PulledPacket {
  streamIndex: number;
  codecType: CodecType;
  /** Codec name from ffprobe's stream dump (h264, aac), once known. */
  codec: string | undefined;
  dtsMs: number | null;
  ptsMs: number | null;
  keyframe: boolean;
  size: number;
  /** Wall clock: ms since pullRtmp was called. */
  arrivalMs: number;
}

export interface PulledStream {
  index: number;
  codecType: CodecType;
  codec: string;
}

export interface PullOptions {
  /** Hard limit: the player is killed after this long. */
  durationMs: number;
  /** Called for each packet as it arrives. */
  onPacket?: (p: PulledPacket) => void;
  /** ffprobe -probesize (bytes). Default 32768: enough for both codec headers. */
  probeSize?: number;
  /**
   * ffprobe -analyzeduration (µs). Default 1500000: longer than a 1 s GOP, because nginx-rtmp
   * holds a player that joins mid-GOP to audio until the next keyframe, and a shorter probe ends
   * having found only the audio stream: the video never shows up at all.
   */
  analyzeDurationUs?: number;
}

export interface PullResult {
  packets: PulledPacket[];
  streams: PulledStream[];
  /** 'duration' (time was up), 'stop' (stop() was called) or 'exit' (the player ended by itself). */
  endedBy: 'duration' | 'stop' | 'exit';
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The player's stderr tail (stream dump, errors). */
  stderr: string;
}

export interface PullHandle {
  /** Packets so far; grows while the pull runs. */
  readonly packets: readonly PulledPacket[];
  readonly streams: readonly PulledStream[];
  /** Settles once the player is gone, however it ended. */
  readonly done: Promise<PullResult>;
  /**
   * Resolves true as soon as `predicate(packets)` holds, false if the pull ends
   * or `timeoutMs` (default: the rest of durationMs) passes first.
   */
  waitFor(predicate: (packets: readonly PulledPacket[]) => boolean, timeoutMs?: number): Promise<boolean>;
  /** Kills the player now; resolves with what it saw. */
  stop(): Promise<PullResult>;
}

const STDBUF = '/usr/bin/stdbuf';
const STDERR_LIMIT = 16 * 1024;
const alive = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of alive) c.kill('SIGKILL');
  });
}

function toCodecType(s: string | undefined): CodecType {
  return s === 'video' || s === 'audio' || s === 'data' || s === 'subtitle' ? s : 'unknown';
}

function seconds(v: string | undefined): number | null {
  if (v === undefined || v === 'N/A' || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n * 1_000_000) / 1000 : null;
}

export function pullRtmp(url: string, opts: PullOptions): PullHandle {
  installExitHook();
  const started = performance.now();
  const packets: PulledPacket[] = [];
  const streams: PulledStream[] = [];
  const codecByIndex = new Map<number, string>();
  let stderr = '';
  let stdoutRest = '';
  let stderrRest = '';
  let endedBy: PullResult['endedBy'] | undefined;
  let finished = false;
  const waiters = new Set<() => void>();

  const ffprobeArgs = [
    '-hide_banner',
    '-v', 'info',
    '-fflags', 'nobuffer',
    '-probesize', String(opts.probeSize ?? 32768),
    '-analyzeduration', String(opts.analyzeDurationUs ?? 1_500_000),
    '-show_entries', 'packet=stream_index,codec_type,pts_time,dts_time,size,flags',
    '-of', 'compact=p=0:nk=0',
    url,
  ];
  // stdbuf -oL makes ffprobe's stdio line-buffered; without it packet lines
  // would arrive in 4 KiB bursts and arrival times would mean nothing.
  const useStdbuf = fs.existsSync(STDBUF);
  const child = useStdbuf
    ? spawn(STDBUF, ['-oL', 'ffprobe', ...ffprobeArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('ffprobe', ffprobeArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  alive.add(child);

  const notify = (): void => {
    for (const w of [...waiters]) w();
  };

  const onStreamLine = (line: string): void => {
    // "  Stream #0:1: Video: h264 (Constrained Baseline), yuv420p, ..." (optionally "#0:1[0x100](und)")
    const m = /Stream #\d+:(\d+)(?:\[[^\]]*\])?(?:\([^)]*\))?: (Video|Audio|Data|Subtitle): ([A-Za-z0-9_]+)/.exec(line);
    if (!m) return;
    const index = Number(m[1]);
    const codec = m[3] as string;
    if (codecByIndex.has(index)) return;
    codecByIndex.set(index, codec);
    streams.push({ index, codecType: toCodecType((m[2] as string).toLowerCase()), codec });
    // Packets parsed before the dump was read get their codec now.
    for (const p of packets) if (p.streamIndex === index && p.codec === undefined) p.codec = codec;
  };

  const onPacketLine = (line: string, arrivalMs: number): void => {
    const fields = new Map<string, string>();
    for (const kv of line.split('|')) {
      const eq = kv.indexOf('=');
      if (eq > 0) fields.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    const idx = fields.get('stream_index');
    if (idx === undefined) return;
    const streamIndex = Number(idx);
    const p: PulledPacket = {
      streamIndex,
      codecType: toCodecType(fields.get('codec_type')),
      codec: codecByIndex.get(streamIndex),
      dtsMs: seconds(fields.get('dts_time')),
      ptsMs: seconds(fields.get('pts_time')),
      keyframe: (fields.get('flags') ?? '').startsWith('K'),
      size: Number(fields.get('size') ?? 0),
      arrivalMs,
    };
    packets.push(p);
    opts.onPacket?.(p);
  };

  child.stdout.on('data', (chunk: Buffer) => {
    const arrivalMs = Math.round((performance.now() - started) * 10) / 10;
    const lines = (stdoutRest + chunk.toString('utf8')).split('\n');
    stdoutRest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onPacketLine(line.trim(), arrivalMs);
    notify();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stderr = (stderr + text).slice(-STDERR_LIMIT);
    const lines = (stderrRest + text).split(/\r?\n/);
    stderrRest = lines.pop() ?? '';
    for (const line of lines) onStreamLine(line);
  });

  const done = new Promise<PullResult>((resolve) => {
    const settle = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      alive.delete(child);
      if (stderrRest) onStreamLine(stderrRest);
      resolve({ packets, streams, endedBy: endedBy ?? 'exit', exitCode, signal, stderr });
      notify();
    };
    child.once('error', (err) => {
      stderr += `\n${err.message}`;
      settle(null, null);
    });
    child.once('close', settle);
  });

  const kill = (why: 'duration' | 'stop'): void => {
    if (finished) return;
    endedBy ??= why;
    child.kill('SIGKILL');
  };
  const deadline = setTimeout(() => kill('duration'), opts.durationMs);

  return {
    packets,
    streams,
    done,
    waitFor(predicate, timeoutMs) {
      if (predicate(packets)) return Promise.resolve(true);
      if (finished) return Promise.resolve(false);
      const limit = timeoutMs ?? Math.max(0, opts.durationMs - (performance.now() - started));
      return new Promise<boolean>((resolve) => {
        const check = (): void => {
          const ok = predicate(packets);
          if (ok || finished) {
            clearTimeout(t);
            waiters.delete(check);
            resolve(ok);
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          resolve(predicate(packets));
        }, limit);
        waiters.add(check);
      });
    },
    stop() {
      kill('stop');
      return done;
    },
  };
}

/** Codec names seen in packets, sorted: e.g. ['aac', 'h264']. */
export function codecsSeen(packets: readonly PulledPacket[]): string[] {
  const names = new Set<string>();
  for (const p of packets) if (p.codec !== undefined) names.add(p.codec);
  return [...names].sort();
}

/** Arrival time (ms since the pull began) of the first video keyframe, or null. */
export function firstKeyframeMs(packets: readonly PulledPacket[]): number | null {
  const p = packets.find((q) => q.codecType === 'video' && q.keyframe);
  return p === undefined ? null : p.arrivalMs;
}

/**
 * Largest dts step between consecutive packets of each media type: the hole a
 * viewer would see in the timeline. A backwards step counts by its size too.
 */
export function maxDtsGapMs(packets: readonly PulledPacket[]): Partial<Record<CodecType, number>> {
  const last = new Map<CodecType, number>();
  const out: Partial<Record<CodecType, number>> = {};
  for (const p of packets) {
    if (p.dtsMs === null) continue;
    const prev = last.get(p.codecType);
    if (prev !== undefined) {
      const gap = Math.abs(p.dtsMs - prev);
      out[p.codecType] = Math.max(out[p.codecType] ?? 0, gap);
    }
    last.set(p.codecType, p.dtsMs);
  }
  return out;
}

/** Largest wall-clock gap between consecutive arrivals (of one media type, if given). */
export function maxArrivalGapMs(packets: readonly PulledPacket[], codecType?: CodecType): number {
  let prev: number | undefined;
  let max = 0;
  for (const p of packets) {
    if (codecType !== undefined && p.codecType !== codecType) continue;
    if (prev !== undefined) max = Math.max(max, p.arrivalMs - prev);
    prev = p.arrivalMs;
  }
  return max;
}

/** Packets per second of wall-clock time between the first and last arrival (of one type, if given). */
export function packetsPerSecond(packets: readonly PulledPacket[], codecType?: CodecType): number {
  const sel = codecType === undefined ? packets : packets.filter((p) => p.codecType === codecType);
  if (sel.length < 2) return 0;
  const span = (sel[sel.length - 1] as PulledPacket).arrivalMs - (sel[0] as PulledPacket).arrivalMs;
  return span > 0 ? ((sel.length - 1) * 1000) / span : 0;
}
