// Helpers for engine tests: wait for a server's state, check a pulled stream decodes.
import { spawn } from 'node:child_process';
import type { ServerSnapshot, ServerState } from '../../common/streaming.js';
import type { MultiConnection } from '../../main/engine/multi-connection.js';

/** Polls snapshots until server `id` is in `state`; returns the epoch ms when it was seen. */
export async function waitForState(mc: MultiConnection, id: string, state: ServerState, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last: ServerSnapshot | undefined;
  while (Date.now() < deadline) {
    last = mc.snapshots().find((s) => s.id === id);
    if (last?.state === state) return Date.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`server ${id} did not reach ${state} within ${timeoutMs} ms (now: ${last?.state} ${last?.reason ?? ''} ${last?.message ?? ''})`);
}

export async function waitForAllLive(mc: MultiConnection, timeoutMs: number): Promise<void> {
  await Promise.all(mc.snapshots().map((s) => waitForState(mc, s.id, 'live', timeoutMs)));
}

/** Decodes `frames` video frames from a live URL with ffmpeg; resolves with ffmpeg's errors (empty when clean). */
export function decodeFrames(url: string, frames: number, timeoutMs = 10_000): Promise<{ code: number | null; errors: string }> {
  return new Promise((resolve) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-i', url, '-frames:v', String(frames), '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    p.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, errors: errors.trim() });
    });
  });
}

export const SMALL_TEST_SOURCE = { kind: 'test', width: 640, height: 360, fps: 30, videoKbps: 800, preset: 'ultrafast' } as const;
