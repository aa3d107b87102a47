// The in-process media core's failure semantics (`--media-in-process`): a core that cannot start is
// not restarted in a loop (the library's configuration is process-wide); the node's MediaCore goes
// down, start() rejects with the reason in words, and the log says the node serves no media until it
// is restarted. A second in-process core in the same process is refused in words.
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../app/logger.js';
import { MediaCore } from '../../app/media/media-core.js';
import { waitForOrNot } from '../support/wait-for.js';

const cores: MediaCore[] = [];
afterAll(async () => {
  for (const c of cores) await c.stop();
});

function make(lines: string[]): MediaCore {
  const destination = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  const core = new MediaCore({ secret: 's'.repeat(32), graceMs: 30_000, takeoverIdleMs: 2000, nodeId: 't', logLevel: 'warn', log: createLogger({ level: 'info', destination }), inProcess: true });
  cores.push(core);
  return core;
}

describe('in-process media core', () => {
  it('that cannot start goes down once, says why, and is not restarted', async () => {
    const saved = process.env.TMPDIR;
    // Its store folder cannot be made under a file: node-media-server never gets going.
    process.env.TMPDIR = '/dev/null/tandem';
    try {
      const lines: string[] = [];
      const core = make(lines);
      const states: string[] = [];
      core.onState((s) => states.push(s));
      await expect(core.start()).rejects.toThrow(/the in-process media core stopped \(exit code 1\); the node serves no media until it is restarted/);
      expect(core.state).toBe('down');
      expect(await core.check(500)).toBe(false);
      // Nothing runs again on its own (a child would be restarted within 250 ms): still starting → down.
      expect(await waitForOrNot(() => states.length > 2, { timeoutMs: 1500 })).toBeUndefined();
      expect(states).toEqual(['starting', 'down']);
      expect(core.pid).toBeUndefined();
      expect(lines.join('')).toMatch(/the in-process media core stopped/);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('refuses a second in-process core in the same process, in words', async () => {
    const lines: string[] = [];
    const core = make(lines);
    await expect(core.start()).rejects.toThrow(/this process already runs an in-process media core \(one node per process\)/);
    expect(core.state).toBe('down');
  });
});
