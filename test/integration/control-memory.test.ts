// Bounded memory per control connection on a real node: a viewer that stops reading while a
// presenter writes megabytes of public shared-object updates is dropped by the node once more than
// its 1 MiB send bound piles up; another viewer gets every write, and the node keeps serving.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControl, type ControlClient } from '../support/control-client.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';

const token = randomBytes(24).toString('hex');
let dir: string;
let node: NodeProcess;
const open: ControlClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-control-memory-'));
  node = await startNode({ env: { TANDEM_CONTROL_TOKEN: token, TANDEM_CONTROL_DIR: path.join(dir, 'data') } });
});

afterAll(async () => {
  for (const c of open) c.close();
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('control connection memory bound', () => {
  it('drops a viewer that stops reading while a presenter writes megabytes; another viewer gets every write', async () => {
    const presenter = await openControl(node.base, { role: 'presenter', token });
    const fast = await openControl(node.base);
    const slow = await openControl(node.base);
    open.push(presenter, fast, slow);
    const viewers = () => node.metric('tandem_control_clients', { role: 'viewer' });
    expect(await viewers()).toBe(2);

    // The slow viewer's socket stops reading: what the node sends piles up in the kernel, then in the node.
    (slow.ws as unknown as { _socket: Socket })._socket.pause();

    const chunk = 'x'.repeat(48 * 1024);
    const BATCH = 20; // ~1 MiB per batch, well under the presenter's message burst
    const MAX_WRITES = 600; // ~28 MiB: far more than kernel buffers and the node's 1 MiB bound together
    const bulk = () => fast.messages.filter((m) => m.type === 'so.sync' && m.name === 'bulk').length;
    let written = 0;
    let droppedAt = -1;
    while (written < MAX_WRITES) {
      // Paced under the presenter's 200 messages/s, so no write is refused for its rate.
      const paced = new Promise((r) => setTimeout(r, 150));
      for (let i = 0; i < BATCH; i++, written++) presenter.send({ type: 'so.set', name: 'bulk', slots: { seq: written, blob: `${written}:${chunk}` } });
      await waitFor(() => bulk() === written, 10_000, `the fast viewer to get write ${written}`, 10);
      await paced;
      if ((await viewers()) === 1) {
        droppedAt = written;
        break;
      }
    }
    const bytes = droppedAt * chunk.length;
    expect(droppedAt, 'the node never dropped the viewer that stopped reading').toBeGreaterThan(0);
    expect(bytes).toBeGreaterThan(1024 * 1024); // not before its bound

    // A few more writes after the drop: the fast viewer gets every one, in order, once.
    for (let i = 0; i < 5; i++, written++) presenter.send({ type: 'so.set', name: 'bulk', slots: { seq: written, blob: `${written}:${chunk}` } });
    await waitFor(() => bulk() === written, 5000, 'the last writes on the fast viewer', 10);
    const seqs = fast.messages.flatMap((m) => (m.type === 'so.sync' && m.name === 'bulk' ? [m.slots.seq?.value] : []));
    expect(seqs).toEqual(Array.from({ length: written }, (_, i) => i));

    // The slow viewer, reading again, finds its socket closed by the node (no close frame: terminated)
    // after fewer writes than were made.
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    expect(await Promise.race([slow.closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))])).toBe(1006);
    expect(slow.messages.filter((m) => m.type === 'so.sync' && m.name === 'bulk').length).toBeLessThan(written);

    expect((await fetch(`${node.base}/healthz`)).status).toBe(200);
    expect(node.proc.exitCode).toBeNull();
    expect(fast.ws.readyState).toBe(fast.ws.OPEN);
  });
});
