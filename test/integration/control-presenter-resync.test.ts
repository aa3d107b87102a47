// A presenter (re)connecting to a node that holds the Q&A moderation of a big session (the flags
// object and 64 presenter-only buckets of up to 56 KiB, ~3.5 MiB in all) and 120 large app objects
// (~7 MiB), while it reads nothing for half a second, gets every object and
// stays connected: the hello's syncs go out as the socket drains instead of piling up past the
// node's per-client buffer bound (the node used to drop the presenter on every reconnect).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../common/control-protocol.js';
import { MODERATION_BUCKET_BYTES } from '../../common/limits.js';
import { MODERATION_BUCKETS, QA_MODERATION_OBJECT, moderationBucketName } from '../../common/qa.js';
import { openControl, type ControlClient } from '../support/control-client.js';
import { startControlCluster } from '../support/control-cluster.js';
import { waitFor } from '../support/node-process.js';

let cluster: Awaited<ReturnType<typeof startControlCluster>>;
const clients: ControlClient[] = [];
const APP_OBJECTS = 120;
const ALL = MODERATION_BUCKETS + 2 + APP_OBJECTS;

/** A bucket as the engine writes it: sorted id lists per status, just under MODERATION_BUCKET_BYTES. */
function bucket(n: number): Record<string, { version: number; value: string[] }> {
  const ids: string[] = [];
  let bytes = 2 + 'approved'.length + 6;
  for (let i = 0; ; i++) {
    const id = `q-${'z'.repeat(48)}-${String(n).padStart(2, '0')}-${String(i).padStart(6, '0')}`;
    if (bytes + id.length + 3 > MODERATION_BUCKET_BYTES) break;
    bytes += id.length + 3;
    ids.push(id);
  }
  return { approved: { version: 1, value: ids } };
}

beforeAll(async () => {
  cluster = await startControlCluster(1, {
    prepare: (dir) => {
      const objects: Record<string, unknown> = {
        [QA_MODERATION_OBJECT]: { public: false, slots: { preModeration: { version: 1, value: false }, pinnedId: { version: 1, value: null }, buckets: { version: 1, value: MODERATION_BUCKETS } } },
        qa: { public: true, slots: { questions: { version: 1, value: [] }, pinned: { version: 1, value: '' } } },
      };
      for (let n = 0; n < MODERATION_BUCKETS; n++) objects[moderationBucketName(n)] = { public: false, slots: bucket(n) };
      // And the presenter's own objects (slides, notes …), near the largest a write may be: with
      // them the hello is more than loopback's socket buffers take at once (~10 MiB in all).
      for (let n = 0; n < APP_OBJECTS; n++) objects[`app-${n}`] = { public: n % 2 === 0, slots: { body: { version: 1, value: 'a'.repeat(60 * 1024) } } };
      writeFileSync(path.join(dir, 'shared-objects.json'), JSON.stringify({ objects }));
    },
  });
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
});

describe('presenter hello on a node with a big moderation', () => {
  it('sends every object and keeps the presenter connected, also on a reconnect', async () => {
    const n = cluster.nodes[0]!;
    for (let round = 0; round < 2; round++) {
      const p = await openControl(n.node.base, { hello: false });
      clients.push(p);
      // An engine busy for a moment (merging, encoding) reads nothing while the node sends: pause
      // reading across the hello, so what the node sends piles up on its side, then read on.
      const socket = (p.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      p.send({ type: 'hello', v: PROTOCOL_VERSION, role: 'presenter', token: n.token });
      await new Promise((r) => setTimeout(r, 500)); // the busy moment under test
      socket.resume();
      const names = () => new Set(p.messages.flatMap((m) => (m.type === 'so.sync' ? [m.name] : [])));
      await waitFor(() => names().size === ALL, 10_000, `all ${ALL} objects (round ${round})`);
      for (let i = 0; i < MODERATION_BUCKETS; i++) expect(names().has(moderationBucketName(i))).toBe(true);
      // Still connected and served: a remote call answers.
      p.send({ type: 'call', id: `stats-${round}`, method: 'getStats', args: [] });
      expect(await p.next('call.result', (m) => m.id === `stats-${round}`)).toMatchObject({ ok: true });
      expect(p.ws.readyState).toBe(p.ws.OPEN);
      p.close();
    }
  });
});
