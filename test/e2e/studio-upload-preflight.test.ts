// Test servers in the studio, as a presenter clicks it, against two real Tandem nodes (with
// presenter tokens): after the setup check, the upload check sends bytes to both nodes at once and
// the verdict in words shows under the results, with each server's figure. Unshaped loopback reads
// fast: "enough for 2 servers". Screenshot: studio-upload-preflight.png (test/artifacts/).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPublishUrl } from '../../common/publish-url.js';
import { type StudioRig, addServer, screenshot, startStudioRig, text } from '../support/studio-rig.js';

const token = randomBytes(24).toString('hex');
let rig: StudioRig;

beforeAll(async () => {
  rig = await startStudioRig({ nodes: 2, nodeEnv: () => ({ TANDEM_CONTROL_TOKEN: token }) });
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

describe('Test servers: the upload check', () => {
  it('shows the verdict in words under the results, and what reached each node', async () => {
    const { page, errors } = await rig.openStudio();
    for (const [i, n] of rig.nodes.entries()) {
      const { base, secret } = splitPublishUrl(n.publishUrl('main'));
      await addServer(page, { label: `Node ${i + 1}`, url: base, streamKey: secret, controlUrl: n.base, token });
    }
    const before = rig.nodes.map((n) => n.output().split('upload test done').length);
    await page.click('[data-testid="test-servers"]');
    // While it measures, it says so.
    await page.waitForSelector('[data-testid="upload-measuring"]', { timeout: 10_000 });
    await page.waitForSelector('[data-testid="upload-verdict"]', { timeout: 20_000 });
    expect(await page.getAttribute('[data-testid="upload-verdict"]', 'data-kind')).toBe('enough');
    expect(await text(page, '[data-testid="upload-verdict"]')).toMatch(/^Your upload carries (about|more than) [\d.]+ Mb\/s: enough for 2 servers at 2\.5 Mb\/s each$/);
    for (const [i, id] of ['node-1', 'node-2'].entries()) {
      expect(await text(page, `[data-testid="upload-${id}"]`)).toMatch(new RegExp(`^Upload to Node ${i + 1}: (at least )?[\\d.]+ Mb/s reached it during the test$`));
    }
    // Each node really took a test (its own log), and the setup check's results are still there.
    rig.nodes.forEach((n, i) => expect(n.output().split('upload test done').length).toBe(before[i]! + 1));
    expect(await page.getAttribute('[data-testid="result-node-1"]', 'data-word')).toBe('Reachable');
    await screenshot(page, 'studio-upload-preflight.png');
    expect(await page.$('[data-testid="upload-measuring"]')).toBeNull();
    expect(errors).toEqual([]);
  }, 120_000);
});
