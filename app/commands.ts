// The commands of `tandem-node` (app/cli.ts is the entry, which loads this module):
//   tandem-node [--config file] [flags]        one node (config: flags > TANDEM_* env > JSON file)
//   tandem-node cluster --nodes N [...]        N local nodes on consecutive ports
//   tandem-node sign --stream NAME [...]       a signed publish URL for this node's secret
import { parseArgs } from 'node:util';
import { signPublishUrl } from '../common/publish-auth.js';
import { runCluster } from './cluster.js';
import { announceServing, awaitRunOrder } from './cluster-protocol.js';
import { earlyMediaChildLoaded } from './media/media-child-fork.js';
import { loadNodeConfig } from './config.js';
import { NodeError } from './errors.js';
import { createLogger } from './logger.js';
import { TandemNode } from './node.js';
import { stopOnSignal } from './node-shutdown.js';
import { listenErrorSentence } from '../common/listen-error.js';

const USAGE = `Usage:
  tandem-node [--config file.json] [--http-port 8080] [--rtmp-port 1935] [--host 0.0.0.0]
              [--tls-key key.pem --tls-cert cert.pem [--rtmps-port 1936]] [--secret-file path]
              [--stream main] [--grace-ms 30000] [--ready-requires-live] [--brand brand.json]
              [--cluster http://a:8080,http://b:8080] [--node-id id] [--log-level info]
              [--trusted-proxy 10.0.0.2,...] [--media-in-process]
      The publish secret comes from TANDEM_SECRET, --secret-file or "secret" in the config file.
      With --tls-key/--tls-cert the HTTP port also serves https:// and wss:// (and --rtmps-port RTMPS).
      From a --trusted-proxy peer, a PROXY protocol (v1/v2) header or X-Forwarded-For names the client.
      --media-in-process (TANDEM_MEDIA_IN_PROCESS=1) runs the media core in this process: no child
      process, no media-core restart (the node stays up, not ready, and says why).
      POST /probe/upload is the presenter's upload test (at most 12 MiB and 5 s; one at a time and 6 a
      minute per address; the presenter token as "Authorization: Bearer" when the node has one).
  tandem-node cluster --nodes N [--http-base-port 8080] [--rtmp-base-port 1935] [--host 127.0.0.1]
              [--stream main] [--balancer-url https://live.example/] [--json]
      Prints the viewer links to share (the balancer's first), then each node's publish URL and token.
  tandem-node sign --stream NAME [--rtmp-url rtmp://host:1935] [--ttl 86400] [node config flags]`;

/**
 * Under a supervising parent that set TANDEM_PARENT_STDIN=1 and holds our stdin's other end, the end
 * of stdin means the parent is gone, even SIGKILLed (no signal reaches us then). The entry reads the
 * variable (and removes it, so our own children never see it) before it forks anything.
 */
let parentStdin = false;

function onParentGone(stop: () => void): void {
  if (!parentStdin) return;
  let gone = false;
  const once = () => {
    if (gone) return;
    gone = true;
    stop();
  };
  process.stdin.on('data', () => {}); // the parent sends nothing; only the end matters
  process.stdin.once('end', once);
  process.stdin.once('close', once);
  process.stdin.once('error', once);
}

/**
 * A log reader that went away (a closed pipe, such as a killed parent's) must not end the node or
 * cut its graceful stop short: lines are dropped from then on.
 */
function survivePipeLoss(): void {
  for (const out of [process.stdout, process.stderr]) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
}

function fail(message: string, code = 2): never {
  process.stderr.write(`tandem-node: ${message}\n`);
  process.exit(code);
}

async function runNode(argv: string[]): Promise<void> {
  const config = loadNodeConfig({ argv, env: process.env });
  // Named in `ps` by what it is, also when it began as a cluster's spare.
  process.title = `tandem-node ${config.nodeId}`;
  const log = createLogger({ level: config.logLevel, nodeId: config.nodeId });
  const node = await TandemNode.start(config, log);
  announceServing();
  const shutdown = stopOnSignal({ stop: () => node.stop(), log });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  onParentGone(() => shutdown('parent gone'));
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

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  survivePipeLoss();
  if (first === 'cluster') {
    await runCluster(rest);
    // The cluster's own SIGTERM handling stops every node and exits.
    onParentGone(() => process.kill(process.pid, 'SIGTERM'));
    return;
  }
  if (first === 'sign') return runSign(rest);
  return runNode(argv);
}

/**
 * `tandem-node spare`, started by `tandem-node cluster` only: a node process loaded ahead (its media
 * core's process too), which runs as whichever node the cluster names once one dies. Taking over
 * costs no start-up, so the node accepts RTMP again within a second or so.
 */
export async function runSpare(o: { parentStdin: boolean }): Promise<void> {
  if (!process.send) fail('`tandem-node spare` is started by `tandem-node cluster`, not by hand');
  process.title = 'tandem-node spare';
  // Ready means ready to serve at once: the media core's process has its library loaded too.
  await earlyMediaChildLoaded();
  Object.assign(process.env, await awaitRunOrder());
  return runCommand([], o);
}

/** Runs one command line; a failure ends the process with one sentence (exit 2 for bad settings). */
export function runCommand(argv: string[], o: { parentStdin: boolean }): Promise<void> {
  parentStdin = o.parentStdin;
  return main(argv).catch((err: unknown) => {
    if (err instanceof NodeError) fail(err.message);
    const listen = listenErrorSentence(err, 'choose others with --http-port / --rtmp-port (TANDEM_HTTP_PORT / TANDEM_RTMP_PORT), or --host');
    if (listen) fail(listen, 1);
    fail(err instanceof Error ? err.message : String(err), 1);
  });
}
