#!/usr/bin/env node
// Checks, before `npm test` runs anything, that the system packages the tests drive are installed,
// and says in one sentence which are missing and the one command that installs them all. Plain
// JavaScript: it runs before anything is built.
//   node scripts/check-system.mjs             exit 0 when everything is there, else 1 and the sentence
//   node scripts/check-system.mjs --packages  the Debian packages, one line (what .ci/run installs)
// Each entry is what a test or its support runs: by name on PATH, or at the fixed path it uses.
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REQUIREMENTS = [
  { name: 'ffmpeg', pkg: 'ffmpeg', command: 'ffmpeg' },
  { name: 'ffprobe', pkg: 'ffmpeg', command: 'ffprobe' },
  // test/support/nginx-rtmp-fixture.ts
  { name: 'nginx', pkg: 'nginx', file: '/usr/sbin/nginx' },
  { name: 'the nginx RTMP module', pkg: 'libnginx-mod-rtmp', file: '/usr/lib/nginx/modules/ngx_rtmp_module.so' },
  // test/support/node-haproxy.ts
  { name: 'haproxy', pkg: 'haproxy', command: 'haproxy' },
  // test/support/node-browser.ts and the e2e tests (playwright-core drives this binary)
  { name: 'chromium', pkg: 'chromium', file: '/usr/bin/chromium' },
  // test/integration/node-rtmps.test.ts makes a certificate
  { name: 'openssl', pkg: 'openssl', command: 'openssl' },
  // test/support/procs.ts lists a process's children
  { name: 'ps', pkg: 'procps', command: 'ps' },
  // test/support/rtmp-pull.ts
  { name: 'stdbuf', pkg: 'coreutils', file: '/usr/bin/stdbuf' },
  // test/integration/relay-faults.test.ts builds a network namespace (ip netns, veth) for a half-open peer
  { name: 'ip', pkg: 'iproute2', file: '/bin/ip' },
];

const MIN_NODE = 20;

/** The Debian packages, each once, in the order above. */
export function packages() {
  return [...new Set(REQUIREMENTS.map((r) => r.pkg))];
}

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command, pathVar) {
  return (pathVar ?? '').split(path.delimiter).some((dir) => dir && executable(path.join(dir, command)));
}

/** The requirements not met on this machine (PATH from `env`). */
export function missing(env = process.env) {
  return REQUIREMENTS.filter((r) => (r.command ? !onPath(r.command, env.PATH) : !existsSync(r.file)));
}

export function installCommand(isRoot = process.getuid?.() === 0) {
  return `${isRoot ? '' : 'sudo '}apt-get install -y --no-install-recommends ${packages().join(' ')}`;
}

/** One sentence naming what is missing and the command that installs it, or null. */
export function missingSentence(gone, isRoot) {
  if (gone.length === 0) return null;
  const names = gone.map((r) => (r.name === r.pkg ? r.name : `${r.name} (${r.pkg})`));
  return `Missing: ${names.join(', ')}. Install them with: ${installCommand(isRoot)}`;
}

function main(argv) {
  if (argv.includes('--packages')) {
    process.stdout.write(`${packages().join(' ')}\n`);
    return 0;
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_NODE) {
    process.stderr.write(`Node ${MIN_NODE} or newer is needed; this is Node ${process.versions.node}.\n`);
    return 1;
  }
  const sentence = missingSentence(missing());
  if (!sentence) return 0;
  process.stderr.write(`${sentence}\n`);
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exit(main(process.argv.slice(2)));
