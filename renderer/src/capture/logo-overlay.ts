// The optional logo overlay in the stream: the camera's frames pass through a TransformStream
// (Chromium's MediaStreamTrackProcessor / MediaStreamTrackGenerator) that draws the brand logo in
// the top-right corner. Stream-driven rather than timer-driven, so a background tab keeps its
// frame rate. Where the API is missing, the overlay is unavailable and says so.

interface TrackProcessor {
  readable: ReadableStream<VideoFrame>;
}
interface TrackGenerator extends MediaStreamTrack {
  writable: WritableStream<VideoFrame>;
}
type ProcessorCtor = new (init: { track: MediaStreamTrack }) => TrackProcessor;
type GeneratorCtor = new (init: { kind: 'video' }) => TrackGenerator;

function apis(): { Processor: ProcessorCtor; Generator: GeneratorCtor } | null {
  const w = globalThis as unknown as { MediaStreamTrackProcessor?: ProcessorCtor; MediaStreamTrackGenerator?: GeneratorCtor };
  return w.MediaStreamTrackProcessor && w.MediaStreamTrackGenerator && typeof OffscreenCanvas !== 'undefined'
    ? { Processor: w.MediaStreamTrackProcessor, Generator: w.MediaStreamTrackGenerator }
    : null;
}

export function overlaySupported(): boolean {
  return apis() !== null;
}

/** Rasterises a logo (any image URL the CSP allows, e.g. a data: URL; SVG included) to a square canvas. */
export async function loadLogo(src: string, size = 256): Promise<HTMLCanvasElement> {
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  canvas.getContext('2d')?.drawImage(img, 0, 0, size, size);
  return canvas;
}

export interface Overlay {
  stream: MediaStream;
  stop(): void;
}

/** A stream whose video carries the logo; audio tracks pass through untouched. */
export function withLogo(source: MediaStream, logo: HTMLCanvasElement): Overlay | null {
  const api = apis();
  const video = source.getVideoTracks()[0];
  if (!api || !video) return null;
  const clone = video.clone();
  const processor = new api.Processor({ track: clone });
  const generator = new api.Generator({ kind: 'video' });
  let canvas: OffscreenCanvas | null = null;
  let ctx: OffscreenCanvasRenderingContext2D | null = null;
  const abort = new AbortController();
  const transform = new TransformStream<VideoFrame, VideoFrame>({
    transform(frame, controller) {
      const w = frame.displayWidth;
      const h = frame.displayHeight;
      if (!canvas || canvas.width !== w || canvas.height !== h) {
        canvas = new OffscreenCanvas(w, h);
        ctx = canvas.getContext('2d');
      }
      if (!ctx) {
        controller.enqueue(frame);
        return;
      }
      ctx.drawImage(frame, 0, 0, w, h);
      const size = Math.round(Math.min(w, h) * 0.14);
      const margin = Math.round(size * 0.25);
      ctx.globalAlpha = 0.9;
      ctx.drawImage(logo, w - size - margin, margin, size, size);
      ctx.globalAlpha = 1;
      const out = new VideoFrame(canvas, { timestamp: frame.timestamp, ...(frame.duration !== null ? { duration: frame.duration } : {}) });
      frame.close();
      controller.enqueue(out);
    },
  });
  void processor.readable.pipeThrough(transform, { signal: abort.signal }).pipeTo(generator.writable, { signal: abort.signal }).catch(() => undefined);
  return {
    stream: new MediaStream([generator, ...source.getAudioTracks()]),
    stop() {
      abort.abort();
      generator.stop();
      clone.stop();
    },
  };
}
