// Runs an e2e scenario script in a namespace of its own (root: `unshare -n` for the shaped upload,
// `unshare -m` for a small disk), bounded in time, and returns the JSON line it prints: what the
// presenter saw.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'studio-uplink-run.ts');
const RUN_LIMIT_MS = 110_000;

export interface UplinkRunSeen {
  camera: boolean;
  recordingSwitch: boolean;
  before: { step: string; usage: string; recording: string };
  flowingMs: number;
  stepDownMs: number;
  drainMs: number;
  reduced: { step: string; usage: string; headline: string };
  queueDuring: number[];
  savedText: string;
  file: string;
  inRecordingsDir: boolean;
  exists: boolean;
  fileBytes: number;
  recording: { durationS: number; videoPackets: number; codecs: string[]; kbpsBeforeSqueeze: number; kbpsLast3s: number } | null;
  webcastS: number;
  playerVideoPackets: number;
  pageErrors: string[];
}

export function runUplinkScenarioInNamespace(scenario: 'test-pattern' | 'camera'): Promise<UplinkRunSeen> {
  return runInNamespace(['-n'], SCRIPT, [scenario], { TANDEM_OWN_NETNS: '1' }) as Promise<UplinkRunSeen>;
}

export interface DiskRunSeen {
  warning: string;
  headline: string;
  sendingMbps: number[];
  saved: string;
  pageErrors: string[];
}

/** support/studio-disk-run.ts in a mount namespace of its own (its small tmpfs is seen by nobody else). */
export function runDiskScenarioInNamespace(): Promise<DiskRunSeen> {
  return runInNamespace(['-m'], path.join(HERE, 'studio-disk-run.ts'), [], { TANDEM_OWN_MOUNTNS: '1' }) as Promise<DiskRunSeen>;
}

function runInNamespace(unshare: string[], script: string, args: string[], env: Record<string, string>): Promise<unknown> {
  const scenario = path.basename(script, '.ts') + (args.length ? ` ${args.join(' ')}` : '');
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', [...unshare, process.execPath, '--import', 'tsx', script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    // The run cleans up after itself; a hung one must not outlive the test.
    const limit = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`the ${scenario} run failed (exit ${code}):\n${err}`));
      console.log(line);
      resolve(JSON.parse(line));
    });
  });
}
