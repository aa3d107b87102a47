import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FfmpegNotFoundError, findFfmpeg } from '../../main/engine/ffmpeg/find-ffmpeg.js';

function fakeBinary(dir: string, name: string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(p, '#!/bin/sh\n');
  fs.chmodSync(p, 0o755);
  return p;
}

describe('findFfmpeg', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-ffmpeg-'));
  const onPath = fakeBinary(path.join(tmp, 'bin'), 'ffmpeg');
  const bundled = fakeBinary(path.join(tmp, 'resources', 'ffmpeg'), 'ffmpeg');
  const custom = fakeBinary(path.join(tmp, 'custom'), 'my-ffmpeg');

  it('prefers TANDEM_FFMPEG, then the bundled binary, then PATH', () => {
    const env = { PATH: path.join(tmp, 'bin') };
    expect(findFfmpeg({ env: { ...env, TANDEM_FFMPEG: custom }, resourcesPath: path.join(tmp, 'resources') })).toBe(custom);
    expect(findFfmpeg({ env, resourcesPath: path.join(tmp, 'resources') })).toBe(bundled);
    expect(findFfmpeg({ env })).toBe(onPath);
  });

  it('says how to install ffmpeg when there is none', () => {
    let err: unknown;
    try {
      findFfmpeg({ env: { PATH: path.join(tmp, 'empty') } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    expect((err as Error).message).toMatch(/apt-get install ffmpeg/);
    expect((err as Error).message).toMatch(/TANDEM_FFMPEG/);
  });

  it('treats a TANDEM_FFMPEG that points nowhere as an error rather than guessing', () => {
    expect(() => findFfmpeg({ env: { PATH: path.join(tmp, 'bin'), TANDEM_FFMPEG: path.join(tmp, 'nope') } })).toThrow(FfmpegNotFoundError);
  });
});
