// `tandem live --servers-file <path|-> [--server <url> ...] [--source test|audio-test|stdin] [--json]`
// Runs the engine without Electron: prints setup results and every per-server status change,
// exits non-zero when setup leaves nowhere to go live (or, with --require-all, any server failed),
// and when no server ever went live. Publish URLs carry keys, and a process's arguments are
// readable by every user of the machine: the file form keeps them out of `ps`.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { maskPublishUrl, publishUrlSecrets } from '../../common/publish-url.js';
import type { ServerSnapshot, SetupStatus } from '../../common/streaming.js';
import { createLogger } from '../engine/base/logger.js';
import type { SourceSpec } from '../engine/encoder/source.js';
import { MultiConnection, NoServerReadyError } from '../engine/multi-connection.js';
import { listenErrorSentence } from '../../common/listen-error.js';

const USAGE = `Usage: tandem live --servers-file <path|-> [options]
       tandem live --server <rtmp-url> [--server <rtmp-url> ...] [options]

Publishes one encoded stream to every server at once; a server that fails is re-joined by itself.

Options:
  --servers-file <p>   a file with one rtmp:// or rtmps:// publish URL per line, stream key included
                       (blank lines and # comments skipped); - reads them from stdin. Keys stay out
                       of the process's arguments, which every user of the machine can read
  --server <url>       a publish URL on the command line (repeatable; visible in ps: keys belong in
                       --servers-file)
  --source <kind>      test (720p30 test pattern, default) | audio-test | stdin (Matroska/WebM on stdin)
  --size <WxH>         test pattern size (default 1280x720)
  --duration <s>       stop after this many seconds (default: until Ctrl-C)
  --require-all        refuse to go live unless every server is ready
  --timeout <ms>       setup window per server (default 3000)
  --json               one JSON object per line instead of text
  -h, --help           this help

Exit status: 0 after a normal stop, 2 when setup leaves nowhere to go live, 3 when no server ever
went live (every publish refused or failed), 1 on other errors.`;

interface Printer {
  setup(s: SetupStatus): void;
  server(s: ServerSnapshot): void;
  line(event: string, fields: Record<string, unknown>): void;
}

function printer(json: boolean): Printer {
  const t0 = Date.now();
  const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
  if (json) {
    const out = (o: object) => process.stdout.write(JSON.stringify({ t: Date.now(), ...o }) + '\n');
    return {
      setup: (s) => out({ event: 'setup', ...s }),
      server: (s) => out({ event: 'server', id: s.id, label: s.label, state: s.state, reason: s.reason, message: s.message, metrics: s.metrics }),
      line: (event, fields) => out({ event, ...fields }),
    };
  }
  return {
    setup: (s) => {
      console.log(`${stamp()}  ${s.code}`);
      for (const r of s.servers) console.log(`${stamp()}    ${r.id.padEnd(12)} ${r.result.padEnd(10)} ${r.label}  ${r.message} (${r.elapsedMs} ms)`);
    },
    server: (s) => console.log(`${stamp()}  ${s.id.padEnd(12)} ${s.state.padEnd(12)} ${s.message}`),
    line: (event, fields) => console.log(`${stamp()}  ${event} ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}`),
  };
}

export async function runLive(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string', multiple: true },
        'servers-file': { type: 'string' },
        source: { type: 'string', default: 'test' },
        size: { type: 'string', default: '1280x720' },
        duration: { type: 'string' },
        'require-all': { type: 'boolean', default: false },
        timeout: { type: 'string', default: '3000' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`tandem live: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const file = values['servers-file'];
  if (file === '-' && values.source === 'stdin') {
    console.error('tandem live: stdin cannot carry both the server list (--servers-file -) and the media (--source stdin)');
    return 2;
  }
  let fromFile: string[] = [];
  if (file !== undefined) {
    try {
      fromFile = parseServersFile(file === '-' ? await readStdin() : fs.readFileSync(file, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      console.error(`tandem live: cannot read the servers file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
      return 2;
    }
    if (fromFile.length === 0) {
      console.error(`tandem live: the servers file ${file === '-' ? '(stdin)' : file} lists no server (one rtmp:// URL per line)`);
      return 2;
    }
  }
  const urls = [...fromFile, ...(values.server ?? [])];
  if (urls.length === 0) {
    console.error(`tandem live: give --servers-file or at least one --server\n\n${USAGE}`);
    return 2;
  }
  if ((values.server ?? []).some((u) => publishUrlSecrets(u).length > 0)) {
    console.error('tandem live: warning: a stream key given with --server is readable by every user of this machine (ps); put the URLs in a file and use --servers-file');
  }
  const size = /^(\d+)x(\d+)$/.exec(values.size);
  const duration = values.duration === undefined ? null : Number(values.duration);
  const timeoutMs = Number(values.timeout);
  if (!size || (duration !== null && !(duration > 0)) || !(timeoutMs > 0)) {
    console.error('tandem live: --size is WxH, --duration and --timeout are positive numbers');
    return 2;
  }
  let source: SourceSpec;
  if (values.source === 'test') source = { kind: 'test', width: Number(size[1]), height: Number(size[2]) };
  else if (values.source === 'audio-test') source = { kind: 'audio-test' };
  else if (values.source === 'stdin') source = { kind: 'chunks' };
  else {
    console.error(`tandem live: unknown --source "${values.source}" (test, audio-test or stdin)`);
    return 2;
  }

  const out = printer(values.json);
  const log = createLogger(process.env.TANDEM_LOG_LEVEL ?? 'error');
  let mc: MultiConnection;
  try {
    mc = new MultiConnection({ logger: log });
  } catch (err) {
    console.error(`tandem live: ${(err as Error).message}`);
    return 1;
  }
  const servers = urls.map((url, i) => ({ id: `server-${i + 1}`, url }));
  let setup: SetupStatus;
  try {
    setup = await mc.connect(servers, { timeoutMs });
  } catch (err) {
    const issues = (err as { issues?: Array<{ message: string; path: unknown[] }> }).issues;
    const detail = issues ? issues.map((i) => `${maskPublishUrl(String(urls[Number(i.path[0])] ?? ''))}: ${i.message}`).join('; ') : (err as Error).message;
    console.error(`tandem live: ${detail}`);
    return 2;
  }
  out.setup(setup);
  let everLive = false;
  mc.onServerStatus((s) => {
    if (s.state === 'live') everLive = true;
    out.server(s);
  });
  mc.onDrop((d) => out.line('drop', { id: d.id, gops: d.gops, total: d.total }));
  mc.onEncoderStatus((e) => {
    if (e.state === 'restarting' || e.state === 'failed') out.line('encoder', { state: e.state, message: e.message });
  });
  try {
    await mc.publish(source, { requireAll: values['require-all'] });
  } catch (err) {
    if (err instanceof NoServerReadyError) {
      console.error(`tandem live: ${err.message}`);
      await mc.stop();
      return 2;
    }
    throw err;
  }
  if (source.kind === 'chunks') {
    process.stdin.on('data', (c: Buffer) => {
      if (!mc.pushChunk(c)) {
        process.stdin.pause();
        setTimeout(() => process.stdin.resume(), 50);
      }
    });
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    if (duration !== null) setTimeout(done, duration * 1000).unref();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (source.kind === 'chunks') {
      process.stdin.once('end', () => {
        console.error('tandem live: the input (stdin) ended; stopping');
        setTimeout(done, 1000);
      });
    }
  });
  const final = mc.snapshots();
  await mc.stop();
  for (const s of final) out.line('summary', { id: s.id, state: s.state, bytesSent: s.metrics.bytesSent, reconnects: s.metrics.reconnects, droppedGops: s.metrics.droppedGops });
  if (!everLive) {
    console.error('tandem live: no server ever went live (the reasons are above)');
    return 3;
  }
  return 0;
}

/** One URL per line; blank lines and # comments are skipped. */
function parseServersFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => (text += d));
    process.stdin.once('end', () => resolve(text));
    process.stdin.once('error', reject);
  });
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'live') return runLive(rest);
  if (cmd === 'studio') return (await import('../browser/studio-command.js')).runStudio(rest);
  if (cmd === '-h' || cmd === '--help' || cmd === undefined) {
    console.log(`Usage: tandem <command>\n\nCommands:\n  live     publish to N RTMP servers (tandem live --help)\n  studio   the presenter UI in a browser (tandem studio --help)`);
    return cmd === undefined ? 2 : 0;
  }
  console.error(`tandem: unknown command "${cmd}" (try tandem --help)`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const listen = listenErrorSentence(err, 'give tandem studio another --port, or --port 0 for any free one');
    console.error(`tandem: ${listen ?? (err as Error).stack ?? err}`);
    process.exit(1);
  },
);
