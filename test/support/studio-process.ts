// Test support: `tandem studio` as a real process on a free loopback port, with its own data dir
// and a renderer built for this run. Resolves with the one-time URL it printed.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './node-process.js';

export interface StudioProcess {
  proc: ChildProcess;
  url: string;
  origin: string;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startStudio(o: { rendererDir: string; args?: string[]; env?: Record<string, string> }): Promise<StudioProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-studio-data-'));
  const proc = spawn(
    process.execPath,
    [path.join(REPO, 'bin', 'tandem.mjs'), 'studio', '--port', '0', '--json', '--data-dir', dataDir, '--renderer-dir', o.rendererDir, ...(o.args ?? [])],
    { env: { ...process.env, TANDEM_LOG_LEVEL: 'info', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err = (err + d).slice(-200_000)));
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      const done = () => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        resolve();
      };
      if (proc.exitCode !== null || proc.signalCode !== null) return done();
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      proc.once('exit', () => {
        clearTimeout(t);
        done();
      });
      proc.kill('SIGTERM');
    });
    return stopping;
  };
  const deadline = Date.now() + 60_000;
  while (!out.includes('\n')) {
    if (proc.exitCode !== null) throw new Error(`studio exited early (${proc.exitCode}):\n${out}\n${err}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`studio did not start within 60 s:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const line = JSON.parse(out.slice(0, out.indexOf('\n'))) as { url: string };
  return { proc, url: line.url, origin: new URL(line.url).origin, dataDir, output: () => out + err, stop };
}
