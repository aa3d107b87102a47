import { describe, expect, it } from 'vitest';
import { encoderArgs } from '../../main/engine/encoder/encoder-args.js';
import { initSegment, planFromHeader, planFromMimeType } from '../../main/engine/encoder/matroska-sniff.js';
import { sourceSpecSchema } from '../../main/engine/encoder/source.js';

const cluster = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

describe('Matroska sniffing', () => {
  it('copies H.264, transcodes VP8/VP9, and treats audio-only as no video', () => {
    expect(planFromMimeType('video/x-matroska;codecs=avc1,opus')).toBe('copy');
    expect(planFromMimeType('video/webm;codecs=vp8,opus')).toBe('transcode');
    expect(planFromMimeType('audio/webm;codecs=opus')).toBe('none');
    expect(planFromMimeType(undefined)).toBeNull();
    expect(planFromHeader(Buffer.concat([Buffer.from('..\x86V_MPEG4/ISO/AVC..A_OPUS')]))).toBe('copy');
    expect(planFromHeader(Buffer.from('..V_VP9..'))).toBe('transcode');
    expect(planFromHeader(Buffer.concat([Buffer.from('..A_OPUS..'), cluster]))).toBe('none');
    expect(planFromHeader(Buffer.from('..EBML header only..'))).toBeNull();
  });

  it('keeps the init segment (everything before the first Cluster) for encoder restarts', () => {
    const head = Buffer.concat([Buffer.from('EBMLtracks'), cluster, Buffer.from('frames')]);
    expect(initSegment(head)?.toString()).toBe('EBMLtracks');
    expect(initSegment(Buffer.from('no cluster yet'))).toBeNull();
  });

  it('builds encoder arguments that copy H.264 and convert Opus to AAC', () => {
    const args = encoderArgs(sourceSpecSchema.parse({ kind: 'chunks' }), 'copy');
    expect(args.join(' ')).toMatch(/-f matroska -i pipe:0 .*-c:v copy .*-c:a aac .*-f flv/);
    expect(encoderArgs(sourceSpecSchema.parse({ kind: 'chunks' }), 'none')).toContain('-vn');
    expect(encoderArgs(sourceSpecSchema.parse({ kind: 'test' })).join(' ')).toMatch(/testsrc2=size=1280x720:rate=30 .*-g 30/);
  });

  it('refuses bad source settings with a clear error', () => {
    expect(() => sourceSpecSchema.parse({ kind: 'test', width: 0 })).toThrow();
    expect(() => sourceSpecSchema.parse({ kind: 'webcam' })).toThrow();
  });
});
