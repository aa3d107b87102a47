// Where ffmpeg comes from, in order: TANDEM_FFMPEG, the binary shipped in the packaged app's
// resources, then PATH. A missing ffmpeg is an error that tells the user how to get one.
import fs from 'node:fs';
import path from 'node:path';

export class FfmpegNotFoundError extends Error {
  readonly code = 'ffmpeg-missing';
  constructor(tried: string[]) {
    super(
      `ffmpeg was not found (looked at: ${tried.join(', ')}). ` +
        'Install it (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; ' +
        'Windows: winget install ffmpeg) or set TANDEM_FFMPEG to the full path of an ffmpeg binary.',
    );
    this.name = 'FfmpegNotFoundError';
  }
}

export interface FindFfmpegOptions {
  env?: NodeJS.ProcessEnv;
  /** The packaged app's resources folder (Electron's process.resourcesPath), if any. */
  resourcesPath?: string;
  platform?: NodeJS.Platform;
  /** ffprobe instead of ffmpeg (same search order). */
  tool?: 'ffmpeg' | 'ffprobe';
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function findFfmpeg(opts: FindFfmpegOptions = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const tool = opts.tool ?? 'ffmpeg';
  const exe = platform === 'win32' ? `${tool}.exe` : tool;
  const tried: string[] = [];

  const fromEnv = tool === 'ffmpeg' ? env.TANDEM_FFMPEG : env.TANDEM_FFPROBE;
  if (fromEnv) {
    tried.push(`${tool === 'ffmpeg' ? 'TANDEM_FFMPEG' : 'TANDEM_FFPROBE'}=${fromEnv}`);
    if (isExecutable(fromEnv)) return fromEnv;
    // An explicit setting that points nowhere is a configuration error, not a cue to guess.
    throw new FfmpegNotFoundError(tried);
  }
  if (opts.resourcesPath) {
    const bundled = path.join(opts.resourcesPath, 'ffmpeg', exe);
    tried.push(bundled);
    if (isExecutable(bundled)) return bundled;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) return candidate;
  }
  tried.push('PATH');
  throw new FfmpegNotFoundError(tried);
}
