// A real node's media child does not inherit the publish secret or the presenter token: its
// /proc/<pid>/environ holds neither the variables nor their values, and the node still serves.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';
import { startPublisher } from '../support/node-publisher.js';

const token = randomBytes(24).toString('hex');
let node: NodeProcess;

beforeAll(async () => {
  node = await startNode({ env: { TANDEM_CONTROL_TOKEN: token } });
});

afterAll(async () => {
  await node?.stop();
});

describe("the media child's environment", () => {
  it('holds no secret, and the node publishes with it all the same', async () => {
    const environ = readFileSync(`/proc/${node.mediaPid()}/environ`, 'latin1');
    const names = environ.split('\0').map((kv) => kv.split('=')[0]);
    expect(names).toContain('PATH'); // the environment was read, and is otherwise inherited
    expect(names).not.toContain('TANDEM_SECRET');
    expect(names).not.toContain('TANDEM_CONTROL_TOKEN');
    expect(environ).not.toContain(node.secret);
    expect(environ).not.toContain(token);
    // The node's own environment still has them (it is where the config came from).
    expect(readFileSync(`/proc/${node.proc.pid}/environ`, 'latin1')).toContain(node.secret);

    const publisher = startPublisher(node.publishUrl(), { seconds: 20 });
    try {
      await waitFor(async () => (await node.metric('tandem_live_streams')) === 1, 15_000, 'a signed publish to go live');
    } finally {
      await publisher.stop();
    }
  });
});
