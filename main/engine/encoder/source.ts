// What the presenter streams: the test pattern, an audio test tone, or media chunks pushed in
// (Matroska/WebM as Chromium's MediaRecorder writes it, from the app or from stdin).
import { z } from 'zod';
import { MAX_MIME_TYPE_CHARS } from '../../../common/limits.js';

export const sourceSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('test'),
    width: z.number().int().min(16).max(3840).default(1280),
    height: z.number().int().min(16).max(2160).default(720),
    fps: z.number().int().min(1).max(60).default(30),
    videoKbps: z.number().int().min(100).max(20_000).default(2500),
    preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  }),
  z.object({ kind: z.literal('audio-test'), audioKbps: z.number().int().min(16).max(320).default(64) }),
  z.object({
    kind: z.literal('chunks'),
    /** MediaRecorder's mimeType, when known: decides copy vs transcode before the first byte. */
    mimeType: z.string().max(MAX_MIME_TYPE_CHARS).optional(),
    videoKbps: z.number().int().min(100).max(20_000).default(2500),
  }),
  z.object({
    kind: z.literal('slate'),
    /** A still image (PNG/JPEG) shown with silence, e.g. while the presenter's capture is away. */
    imagePath: z.string().min(1),
    fps: z.number().int().min(1).max(30).default(15),
  }),
]);

export type SourceSpec = z.input<typeof sourceSpecSchema>;
export type ResolvedSource = z.output<typeof sourceSpecSchema>;
