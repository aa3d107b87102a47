// The node process on SIGTERM/SIGINT: one graceful stop; exit 0 when it completes, and a failed stop
// logged with exit 1, never an unhandled rejection.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../app/logger.js';
import { stopOnSignal } from '../../app/node-shutdown.js';

function setup(stop: () => Promise<void>, forceAfterMs?: number) {
  const lines: string[] = [];
  const codes: number[] = [];
  const log = createLogger({ destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
  let exited!: () => void;
  const done = new Promise<void>((r) => (exited = r));
  const onSignal = stopOnSignal({ stop, log, exit: (code) => (codes.push(code), exited()), ...(forceAfterMs ? { forceAfterMs } : {}) });
  return { lines, codes, onSignal, done };
}

async function withRejectionsWatched(run: (rejections: unknown[]) => Promise<void>): Promise<void> {
  const rejections: unknown[] = [];
  const on = (r: unknown) => rejections.push(r);
  process.on('unhandledRejection', on);
  try {
    await run(rejections);
  } finally {
    process.off('unhandledRejection', on);
  }
}

describe('stopOnSignal', () => {
  it('stops once and exits 0', async () => {
    let stops = 0;
    const s = setup(async () => void stops++);
    s.onSignal('SIGTERM');
    s.onSignal('SIGINT');
    await s.done;
    expect(stops).toBe(1);
    expect(s.codes).toEqual([0]);
  });

  it('logs a failed stop and exits 1, leaving no unhandled rejection', async () => {
    await withRejectionsWatched(async (rejections) => {
      const s = setup(() => Promise.reject(new Error('ingest close failed')));
      s.onSignal('SIGTERM');
      await s.done;
      await new Promise((r) => setTimeout(r, 20));
      expect(s.codes).toEqual([1]);
      expect(s.lines.some((l) => l.includes('graceful stop failed') && l.includes('ingest close failed'))).toBe(true);
      expect(rejections).toEqual([]);
    });
  });

  it('exits 1 when the stop hangs past the force timeout', async () => {
    const s = setup(() => new Promise<void>(() => {}), 50);
    s.onSignal('SIGTERM');
    await s.done;
    expect(s.codes).toEqual([1]);
  });
});
