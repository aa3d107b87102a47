import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { FfmpegProcess } from '../../main/engine/ffmpeg/ffmpeg-process.js';
import { publishUrlSecrets as secretsOf } from '../../common/publish-url.js';

describe('FfmpegProcess', () => {
  it('masks the exact stream key and signature in everything it keeps from stderr', async () => {
    const url = 'rtmp://127.0.0.1:1935/live/SECRETKEY42?sign=v1.123.SIGNATUREabc%2Bdef';
    // A stand-in for ffmpeg that echoes the secrets the way servers and verbose ffmpeg do: bare.
    const p = new FfmpegProcess({
      ffmpegPath: '/bin/sh',
      args: ['-c', 'echo "Server error: stream SECRETKEY42 refused (v1.123.SIGNATUREabc+def)" >&2; echo "publishing live/SECRETKEY42 to rtmp://h/live/SECRETKEY42" >&2; exit 1'],
      logger: silentLogger,
      secrets: secretsOf(url),
    });
    const exit = await p.wait();
    const text = exit.stderrTail.join('\n');
    expect(text).toContain('Server error: stream •••• refused');
    expect(text).not.toContain('SECRETKEY42');
    expect(text).not.toContain('SIGNATUREabc');
    expect(exit.code).toBe(1);
  });

  it('finds the secret parts of a publish URL', () => {
    expect(secretsOf('rtmp://h:1935/live/main?sign=v1.9.abcd')).toEqual(expect.arrayContaining(['main', 'v1.9.abcd', 'sign=v1.9.abcd']));
    expect(secretsOf('rtmp://h/live')).toEqual([]);
  });
});
