// The media core's supervisor on its own, with a real child: a start that fails before a child
// exists (no free loopback port, fork refused) is logged and retried like a crash, never left as a
// rejected promise (an unhandled rejection ends the node process).
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../app/logger.js';

const failures = vi.hoisted(() => ({ left: 0 }));
vi.mock('../../app/loopback.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../app/loopback.js')>();
  return {
    ...real,
    freeLoopbackPort: () => (failures.left-- > 0 ? Promise.reject(new Error('EMFILE: too many open files')) : real.freeLoopbackPort()),
  };
});
const { MediaCore } = await import('../../app/media/media-core.js');

const cores: Array<InstanceType<typeof MediaCore>> = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.stop();
});

function make(lines: string[]): InstanceType<typeof MediaCore> {
  const destination = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  const core = new MediaCore({ secret: 's'.repeat(32), graceMs: 30_000, takeoverIdleMs: 2000, nodeId: 't', logLevel: 'warn', log: createLogger({ level: 'info', destination }) });
  cores.push(core);
  return core;
}

describe('MediaCore start', () => {
  it('retries a start that failed before the child existed, without an unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      failures.left = 2;
      const lines: string[] = [];
      const core = make(lines);
      const states: string[] = [];
      core.onState((s) => states.push(s));
      await core.start(); // up after two failed attempts
      expect(core.state).toBe('up');
      expect(await core.check()).toBe(true);
      expect(states.filter((s) => s === 'down')).toHaveLength(2);
      expect(lines.filter((l) => l.includes('could not start the media core'))).toHaveLength(2);
      // The thing tested is that nothing happens: an unhandled rejection surfaces within a few turns.
      await new Promise((r) => setTimeout(r, 50));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
