// Runs support/studio-uplink-run.ts in a network namespace of its own (`unshare -n`, root), bounded
// in time, and returns the JSON line it prints: what the presenter saw on the squeezed upload.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'studio-uplink-run.ts');
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
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-n', process.execPath, '--import', 'tsx', SCRIPT, scenario], {
      env: { ...process.env, TANDEM_OWN_NETNS: '1' },
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
      resolve(JSON.parse(line) as UplinkRunSeen);
    });
  });
}
