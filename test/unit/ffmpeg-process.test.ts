import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { FfmpegProcess } from '../../main/engine/ffmpeg/ffmpeg-process.js';

describe('FfmpegProcess', () => {
  it('masks publish URLs and signatures in everything it keeps from stderr', async () => {
    // A stand-in for ffmpeg that prints a URL with its key and a bare signature parameter.
    const p = new FfmpegProcess({
      ffmpegPath: '/bin/sh',
      args: ['-c', 'echo "opening rtmp://h:1935/live/SECRETKEY42?sign=v1.123.SIGNATUREabc" >&2; echo "retry with sign=v1.123.SIGNATUREabc" >&2; exit 1'],
      logger: silentLogger,
    });
    const exit = await p.wait();
    const text = exit.stderrTail.join('\n');
    expect(text).toContain('opening rtmp://h:1935/live/••••');
    expect(text).toContain('retry with sign=••••');
    expect(text).not.toContain('SECRETKEY42');
    expect(text).not.toContain('SIGNATUREabc');
    expect(exit.code).toBe(1);
  });

  it('stops idempotently: SIGINT first, SIGKILL when ignored', async () => {
    // An ignored signal stays ignored across exec: the sleep is deaf to SIGINT too.
    const p = new FfmpegProcess({ ffmpegPath: '/bin/sh', args: ['-c', 'trap "" INT; echo ready >&2; exec sleep 30'], logger: silentLogger, killAfterMs: 200 });
    await new Promise<void>((resolve) => p.onStderrLine((l) => l === 'ready' && resolve()));
    const [a, b] = await Promise.all([p.stop(), p.stop()]);
    expect(a).toBe(b);
    expect(a.signal).toBe('SIGKILL');
    expect(a.requested).toBe(true);
  });
});
