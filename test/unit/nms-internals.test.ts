// The check of node-media-server's internals at the media core's start: the installed (pinned)
// version has every one the node relies on; an install that lacks some is refused in one sentence
// naming the version package.json pins.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNmsConfig } from '../../app/media/nms-bridge.js';
import { NMS_EXPECTED_VERSION, nmsIncompatibility, probeInstalledNms, type NmsProbe } from '../../app/media/nms-internals.js';

const require = createRequire(import.meta.url);
const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-nms-check-'));
afterAll(() => fs.rmSync(storeDir, { recursive: true, force: true }));

describe('node-media-server internals', () => {
  it('package.json pins one exact version, and it is the one installed', () => {
    expect(NMS_EXPECTED_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect((require('node-media-server/package.json') as { version: string }).version).toBe(NMS_EXPECTED_VERSION);
  });

  it('the installed library has every internal the node uses', () => {
    const NodeMediaServer = require('node-media-server') as new (config: unknown) => object;
    const server = new NodeMediaServer(buildNmsConfig({ rtmpPort: 1, httpPort: 2, storeDir }, 'x'.repeat(48)));
    const probe = probeInstalledNms(server);
    expect(probe.version).toBe(NMS_EXPECTED_VERSION);
    expect(nmsIncompatibility(probe)).toBeNull();
  });

  it('an install that lacks some is refused in a sentence naming them and the version expected', () => {
    const NodeMediaServer = require('node-media-server') as new (config: unknown) => object;
    const real = probeInstalledNms(new NodeMediaServer(buildNmsConfig({ rtmpPort: 1, httpPort: 2, storeDir }, 'x'.repeat(48))));
    const { donePublish: _gone, ...broadcast } = real.broadcast;
    const { parserTagAlloc: _alsoGone, ...flvParser } = real.flvParser;
    const changed: NmsProbe = { version: '9.0.0', session: real.session, broadcast, server: { httpServer: {} }, flvParser, logger: real.logger };
    expect(nmsIncompatibility(changed, '4.4.3')).toBe(
      'node-media-server 4.4.3 is expected (package.json pins it: the node relies on its internals), ' +
        'but 9.0.0 is installed and lacks session.broadcast.donePublish, server.httpServer.handleFlv, ' +
        'server.httpServer.wsServer.options, flv.parserTagAlloc. Run `npm ci` to install 4.4.3.',
    );
  });
});
