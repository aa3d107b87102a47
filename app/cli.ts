// `tandem-node`: run a server node, start a local demo cluster, or print a signed publish URL.
//   tandem-node [--config file] [flags]        one node (config: flags > TANDEM_* env > JSON file)
//   tandem-node cluster --nodes N [...]        N local nodes on consecutive ports
//   tandem-node sign --stream NAME [...]       a signed publish URL for this node's secret
import { parseArgs } from 'node:util';
import { signPublishUrl } from '../common/publish-auth.js';
import { runCluster } from './cluster.js';
import { loadNodeConfig } from './config.js';
import { NodeError } from './errors.js';
import { createLogger } from './logger.js';
import { TandemNode } from './node.js';
import { stopOnSignal } from './node-shutdown.js';

const USAGE = `Usage:
  tandem-node [--config file.json] [--http-port 8080] [--rtmp-port 1935] [--host 0.0.0.0]
              [--rtmps-port 1936 --tls-key key.pem --tls-cert cert.pem] [--secret-file path]
              [--stream main] [--grace-ms 30000] [--ready-requires-live] [--brand brand.json]
              [--cluster http://a:8080,http://b:8080] [--node-id id] [--log-level info]
      The publish secret comes from TANDEM_SECRET, --secret-file or "secret" in the config file.
  tandem-node cluster --nodes N [--http-base-port 8080] [--rtmp-base-port 1935] [--host 127.0.0.1]
              [--stream main] [--json]
  tandem-node sign --stream NAME [--rtmp-url rtmp://host:1935] [--ttl 86400] [node config flags]`;

function fail(message: string, code = 2): never {
  process.stderr.write(`tandem-node: ${message}\n`);
  process.exit(code);
}

async function runNode(argv: string[]): Promise<void> {
  const config = loadNodeConfig({ argv, env: process.env });
  const log = createLogger({ level: config.logLevel, nodeId: config.nodeId });
  const node = await TandemNode.start(config, log);
  const shutdown = stopOnSignal({ stop: () => node.stop(), log });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function runSign(argv: string[]): void {
  const { values, tokens } = parseArgs({
    args: argv,
    options: { stream: { type: 'string' }, 'rtmp-url': { type: 'string' }, ttl: { type: 'string' } },
    strict: false,
    tokens: true,
  });
  // Everything that is not a sign option is a node config flag (to find the secret).
  const rest: string[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === 'option' && !['stream', 'rtmp-url', 'ttl'].includes(t.name)) {
      rest.push(t.rawName);
      if (t.value !== undefined) rest.push(t.value);
    }
  }
  const config = loadNodeConfig({ argv: rest, env: process.env });
  const stream = typeof values.stream === 'string' ? values.stream : config.stream;
  const base = typeof values['rtmp-url'] === 'string' ? values['rtmp-url'] : `rtmp://127.0.0.1:${config.rtmpPort}`;
  const ttl = Number(values.ttl ?? 86_400);
  if (!Number.isFinite(ttl) || ttl <= 0) fail('--ttl is a number of seconds');
  process.stdout.write(`${signPublishUrl({ base, stream, secret: config.secret, ttlSeconds: ttl })}\n`);
}

async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (first === 'cluster') return runCluster(rest);
  if (first === 'sign') return runSign(rest);
  return runNode(process.argv.slice(2));
}

main().catch((err: unknown) => {
  if (err instanceof NodeError) fail(err.message);
  fail(err instanceof Error ? err.message : String(err), 1);
});
