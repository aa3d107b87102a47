// Runs one node-media-server for tests, in its own process because its config is
// process-wide. The config comes as JSON in argv[2] (or TANDEM_NMS_CONFIG):
//   { rtmpPort, httpPort?, rtmpsPort?, dataDir, publishSecret?, logLevel? }
// It binds 127.0.0.1 only, keeps its store in dataDir, serves no webadmin and no
// admin API, and exits when its parent goes away (stdin closes), so a crashed
// test run leaves no server behind.
'use strict';
// node-media-server is CommonJS and this script runs as plain node: require is the way in.
/* eslint-disable @typescript-eslint/no-require-imports */

const path = require('node:path');

const raw = process.argv[2] ?? process.env.TANDEM_NMS_CONFIG;
if (!raw) {
  console.error('nms-server: pass the config as JSON in argv[2] or TANDEM_NMS_CONFIG');
  process.exit(2);
}
const opts = JSON.parse(raw);

const NodeMediaServer = require('node-media-server');
// The logger is a shared singleton that the constructor forces to "debug";
// it is not part of the package's public API, so resolve it from the entry point.
const logger = require(path.join(path.dirname(require.resolve('node-media-server')), 'core', 'logger.js'));

const config = {
  bind: '127.0.0.1',
  rtmp: { port: opts.rtmpPort },
  store: { path: opts.dataDir },
  webadmin: { enable: false },
  notify: { url: '' },
  // No jwt section: the admin API stays off.
  auth: opts.publishSecret
    ? { play: false, publish: true, secret: opts.publishSecret }
    : { play: false, publish: false, secret: '' },
};
if (opts.httpPort) config.http = { port: opts.httpPort };
if (opts.rtmpsPort) {
  // The package's own self-signed (and long expired) localhost certificate:
  // good for exercising TLS, useless for trusting it.
  const bin = path.join(path.dirname(require.resolve('node-media-server')), '..', 'bin');
  config.rtmps = { port: opts.rtmpsPort, key: path.join(bin, 'key.pem'), cert: path.join(bin, 'cert.pem') };
}

const nms = new NodeMediaServer(config, path.join(opts.dataDir, 'config.json'));
logger.level = opts.logLevel ?? 'warn';
nms.run();

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  // A store flush can hang on a broken disk; tests must not wait on it.
  setTimeout(() => process.exit(code), 1000).unref();
  nms.stop().then(
    () => process.exit(code),
    () => process.exit(code),
  );
}
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.stdin.on('end', () => shutdown(0));
process.stdin.on('error', () => shutdown(0));
process.stdin.resume();
