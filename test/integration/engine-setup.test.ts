// Setup (the seed's MultiConnection.connect): every server is probed in parallel within 3 s, each
// failure gets its own reason, and the ready servers go live regardless.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETUP_FAILED } from '../../common/streaming.js';
import { MultiConnection, NoServerReadyError } from '../../main/engine/multi-connection.js';
import { SMALL_TEST_SOURCE, waitForState } from '../support/engine-harness.js';
import { type NmsHandle, startNms } from '../support/nms-fixture.js';
import { freePort } from '../support/ports.js';
import { type SilentServer, startSilentServer } from '../support/silent-server.js';
import { alive, childPids } from '../support/procs.js';
import { waitFor } from '../support/wait-for.js';

const CLI = path.resolve(import.meta.dirname, '../../bin/tandem.mjs');
let ok: NmsHandle;
let locked: NmsHandle;
let silent: SilentServer;
let closedPort: number;

beforeAll(async () => {
  [ok, locked, silent, closedPort] = await Promise.all([startNms(), startNms({ publishSecret: 'test-only-secret-1234' }), startSilentServer(), freePort()]);
});
afterAll(async () => {
  await Promise.all([ok?.stop(), locked?.stop(), silent?.close()]);
});



describe('engine setup', () => {
  it('reports a closed port, a silent host and a rejected publish with the right reasons within 3 s, while the good server goes live', async () => {
    const mc = new MultiConnection();
    try {
      const t0 = Date.now();
      const setup = await mc.connect([
        { id: 'good', url: ok.url('live', 'setup') },
        { id: 'closed', url: `rtmp://127.0.0.1:${closedPort}/live/setup` },
        { id: 'silent', url: silent.url('live', 'setup') },
        { id: 'badkey', url: `${locked.url('live', 'setup')}?sign=1-deadbeef` },
      ]);
      const setupMs = Date.now() - t0;
      expect(setupMs).toBeLessThan(3500);
      expect(setup.code).toBe(SETUP_FAILED);
      const byId = Object.fromEntries(setup.servers.map((s) => [s.id, s]));
      expect(byId.good!.result).toBe('ready');
      expect(byId.closed!.result).toBe('refused');
      expect(byId.silent!.result).toBe('timeout');
      expect(byId.silent!.elapsedMs).toBeLessThanOrEqual(3200);
      // connect(app) succeeds on a locked node-media-server: the key is only checked at publish.
      expect(byId.badkey!.result).toBe('ready');
      for (const s of setup.servers) expect(s.message.length).toBeGreaterThan(10);

      const published = Date.now();
      await mc.publish(SMALL_TEST_SOURCE);
      await waitForState(mc, 'good', 'live', 5000);
      await waitForState(mc, 'badkey', 'failed', 3000);
      expect(Date.now() - published).toBeLessThan(3000 + 1500); // the good one confirms live within this too
      const snaps = Object.fromEntries(mc.snapshots().map((s) => [s.id, s]));
      expect(snaps.badkey!.reason).toBe('publish-rejected');
      expect(snaps.badkey!.message).toMatch(/key|signature/);
      expect(snaps.badkey!.nextAttemptAt! - Date.now()).toBeGreaterThan(1000); // a refused key never retries fast
      expect(snaps.closed!.state).toBe('reconnecting');
      expect(snaps.closed!.reason).toBe('refused');
      expect(snaps.good!.state).toBe('live');
      // The stream key never shows up in what the UI is given.
      expect(JSON.stringify(mc.snapshots())).not.toContain('deadbeef');
    } finally {
      await mc.stop();
    }
  });

  it('refuses to go live when no server is ready, or when all are required and one is not', async () => {
    const mc = new MultiConnection();
    await mc.connect([{ id: 'closed', url: `rtmp://127.0.0.1:${closedPort}/live/x` }]);
    await expect(mc.publish(SMALL_TEST_SOURCE)).rejects.toBeInstanceOf(NoServerReadyError);
    await mc.stop();
    const mc2 = new MultiConnection();
    await mc2.connect([
      { id: 'good', url: ok.url('live', 'req') },
      { id: 'closed', url: `rtmp://127.0.0.1:${closedPort}/live/x` },
    ]);
    await expect(mc2.publish(SMALL_TEST_SOURCE, { requireAll: true })).rejects.toThrow(/requires all/);
    await mc2.stop();
  });

  it('rejects bad server settings with a clear error before touching the network', async () => {
    const mc = new MultiConnection();
    await expect(mc.connect([{ id: 'x', url: 'http://example.com/live' }])).rejects.toThrow(/rtmp:\/\/ or rtmps:\/\//);
    await expect(mc.connect([{ id: 'x', url: 'rtmp://127.0.0.1' }])).rejects.toThrow(/application/);
    await expect(mc.connect([])).rejects.toThrow(/at least one server/);
    await mc.stop();
  });

  it('tandem live exits 2 when setup leaves nowhere to go live, and never prints the stream key', async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const p = spawn(process.execPath, [CLI, 'live', '--server', `rtmp://127.0.0.1:${closedPort}/live/SECRETKEY123`, '--duration', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      p.stdout.on('data', (d) => (text += d));
      p.stderr.on('data', (d) => (text += d));
      p.on('close', (code) => resolve({ code, text }));
    });
    expect(out.code).toBe(2);
    expect(out.text).toMatch(/NetConnection\.Setup\.Failed/);
    expect(out.text).toMatch(/refused/);
    expect(out.text).not.toContain('SECRETKEY123');
  });

  it('tandem live exits 3 and says so when every publish is refused (a wrong key) and no server ever went live', async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const p = spawn(process.execPath, [CLI, 'live', '--server', locked.url('live', 'wrongkey'), '--size', '320x240', '--duration', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      p.stdout.on('data', (d) => (text += d));
      p.stderr.on('data', (d) => (text += d));
      p.on('close', (code) => resolve({ code, text }));
    });
    expect(out.text).toMatch(/NetConnection\.Setup\.Success/); // the handshake is fine; the key is not
    expect(out.text).toContain('no server ever went live');
    expect(out.code).toBe(3);
  });

  it('runs one process (the encoder) whatever the number of servers, and leaves nothing behind when killed with SIGKILL, even with a publish stuck in a handshake', async () => {
    const p = spawn(process.execPath, [CLI, 'live', '--server', ok.url('live', 'orphan'), '--server', silent.url('live', 'orphan'), '--size', '320x240', '--duration', '60', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    await waitFor(() => /"state":"live"/.test(text), { timeoutMs: 15_000, intervalMs: 50, what: 'live' }).catch(() => {});
    expect(text).toMatch(/"state":"live"/);
    // The silent server's publisher is waiting for a handshake answer that never comes.
    await waitFor(() => silent.open() > 0, { timeoutMs: 5000, intervalMs: 50, what: 'a publish waiting on the silent server' }).catch(() => {});
    expect(silent.open()).toBeGreaterThan(0);
    const children = childPids(p.pid!);
    // The encoder alone: every server is a socket in the engine, not a process.
    expect(children.map((c) => fs.readFileSync(`/proc/${c}/comm`, 'utf8').trim())).toEqual(['ffmpeg']);
    p.kill('SIGKILL');
    await waitFor(() => !children.some(alive), { timeoutMs: 10_000, what: 'the engine\'s children gone' }).catch(() => {});
    expect(children.filter(alive)).toEqual([]);
  });
});
