// `tandem studio [--port N] [--host ADDR] [--data-dir DIR] [--demo] [--json]`
// Runs the engine without Electron and serves the presenter UI to a browser on loopback, with a
// one-time token in the printed link. --demo starts two local Tandem nodes and uses them.
import os from 'node:os';
import path from 'node:path';
import { viewerLinks } from '../../common/viewer-links.js';
import { parseArgs } from 'node:util';
import { createLogger } from '../engine/base/logger.js';
import { buildRenderer, hasRendererBuild } from '../../scripts/build-renderer.js';
import { type DemoCluster, startDemoCluster } from '../demo/demo-cluster.js';
import { DEFAULT_RENDERER_DIR } from '../presenter/paths.js';
import { startStudioApp } from './studio-app.js';

const USAGE = `Usage: tandem studio [options]

Serves the presenter app to a browser, with the engine running here. Open the printed link.

Options:
  --port <n>           port to listen on (default 4370; 0 picks a free one)
  --host <addr>        interface to listen on (default 127.0.0.1; anything else exposes the studio)
  --data-dir <dir>     where servers, brand and secrets are kept (default ~/.tandem/studio)
  --renderer-dir <dir> a built renderer (default dist/renderer, built on first run)
  --demo               start two local Tandem nodes and use them (settings kept apart)
  --json               print {"url": ...} as one JSON line
  -h, --help           this help`;

export async function runStudio(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '4370' },
        host: { type: 'string', default: '127.0.0.1' },
        'data-dir': { type: 'string' },
        'renderer-dir': { type: 'string' },
        demo: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`tandem studio: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('tandem studio: --port is 0 to 65535');
    return 2;
  }
  const log = createLogger(process.env.TANDEM_LOG_LEVEL ?? 'warn');
  const rendererDir = path.resolve(values['renderer-dir'] ?? DEFAULT_RENDERER_DIR);
  if (!hasRendererBuild(rendererDir)) {
    if (!values.json) console.log(`Building the presenter UI into ${rendererDir} …`);
    await buildRenderer(rendererDir);
  }
  const baseDir = path.resolve(values['data-dir'] ?? path.join(os.homedir(), '.tandem', 'studio'));
  let demo: DemoCluster | null = null;
  if (values.demo) {
    if (!values.json) console.log('Starting a local demo cluster (two Tandem nodes) …');
    demo = await startDemoCluster();
  }
  let app: Awaited<ReturnType<typeof startStudioApp>>;
  try {
    app = await startStudioApp({
      dataDir: demo ? path.join(baseDir, 'demo') : baseDir,
      rendererDir,
      logger: log,
      listenHost: values.host,
      port,
      demo: !!demo,
    });
    if (demo) await app.profile.importProfile(JSON.stringify(demo.profile));
  } catch (err) {
    // e.g. the port is taken: the demo nodes must not outlive the failed start.
    await demo?.stop().catch(() => {});
    throw err;
  }
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    console.error(`tandem studio: listening on ${values.host}: anyone who can reach it and has the link can control this webcast`);
  }
  const links = viewerLinks(await app.profile.servers(), (await app.profile.profile()).viewerUrls);
  if (values.json) process.stdout.write(`${JSON.stringify({ url: app.server.url, port: app.server.listenPort, viewerLinks: links })}\n`);
  else {
    console.log(`Tandem studio: open ${app.server.url}\n(The link works once; stop with Ctrl-C.)`);
    // What to hand the audience: the balancer, then each node's own page (the studio shows them too).
    if (links.length > 0) console.log(`Viewers watch at:\n${links.map((l) => `  ${l.label}: ${l.url}`).join('\n')}`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  await app.close();
  await demo?.stop();
  return 0;
}
