// Test support: a real ffmpeg publisher (test pattern + tone, H.264/AAC over RTMP), bounded in time.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Publisher {
  proc: ChildProcess;
  /** Resolves with ffmpeg's exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  stderr(): string;
  stop(): Promise<void>;
}

export interface PublisherOptions {
  /** Seconds of media before ffmpeg ends on its own; bounds every test. */
  seconds?: number;
  audioOnly?: boolean;
}

export function startPublisher(url: string, o: PublisherOptions = {}): Publisher {
  const seconds = String(o.seconds ?? 60);
  const args = o.audioOnly
    ? ['-re', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`, '-c:a', 'aac', '-b:a', '64k']
    : [
        '-re', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=30:duration=${seconds}`,
        '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-b:a', '64k',
      ];
  const proc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args, '-f', 'flv', url], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    exited,
    stderr: () => err,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGCONT');
        proc.kill('SIGKILL');
      }
      await exited;
    },
  };
}
