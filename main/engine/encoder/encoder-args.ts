// ffmpeg arguments for each source. Low latency on input (small probe, no buffering); on output
// FLV to stdout with every packet flushed, a keyframe every second, AAC audio.
import type { ResolvedSource } from './source.js';
import type { VideoPlan } from './matroska-sniff.js';

const COMMON_IN = ['-hide_banner', '-nostats', '-loglevel', 'warning'];
const FLV_OUT = ['-f', 'flv', '-flvflags', 'no_duration_filesize', '-flush_packets', '1', 'pipe:1'];

function x264(kbps: number, fps: number, preset = 'veryfast'): string[] {
  return [
    '-c:v', 'libx264', '-preset', preset, '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-g', String(fps), '-keyint_min', String(fps), '-sc_threshold', '0',
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`,
  ];
}

const AAC = (kbps: number, channels = 2) => ['-c:a', 'aac', '-b:a', `${kbps}k`, '-ar', '48000', '-ac', String(channels)];

export function encoderArgs(source: ResolvedSource, plan: VideoPlan = 'transcode'): string[] {
  switch (source.kind) {
    case 'test':
      return [
        ...COMMON_IN,
        '-re', '-f', 'lavfi', '-i', `testsrc2=size=${source.width}x${source.height}:rate=${source.fps}`,
        '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:beep_factor=4',
        '-map', '0:v', '-map', '1:a',
        ...x264(source.videoKbps, source.fps, source.preset),
        ...AAC(128),
        ...FLV_OUT,
      ];
    case 'audio-test':
      return [
        ...COMMON_IN,
        '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:beep_factor=4',
        '-map', '0:a', ...AAC(source.audioKbps, 1),
        ...FLV_OUT,
      ];
    case 'slate':
      return [
        ...COMMON_IN,
        '-re', '-loop', '1', '-framerate', String(source.fps), '-i', source.imagePath,
        '-re', '-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=48000',
        '-map', '0:v', '-map', '1:a',
        '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2',
        ...x264(800, source.fps),
        ...AAC(64),
        ...FLV_OUT,
      ];
    case 'chunks': {
      const video = plan === 'none' ? ['-vn'] : plan === 'copy' ? ['-map', '0:v:0', '-c:v', 'copy'] : ['-map', '0:v:0', ...x264(source.videoKbps, 30)];
      return [
        ...COMMON_IN,
        '-fflags', '+nobuffer+genpts', '-probesize', '65536', '-analyzeduration', '0',
        '-f', 'matroska', '-i', 'pipe:0',
        ...video,
        '-map', '0:a:0?', ...AAC(128),
        ...FLV_OUT,
      ];
    }
  }
}
