// Browser side of capture-webcodecs.test.ts (bundled by the test): the presenter's WebCodecs recorder on the
// fake camera and microphone, its Matroska chunks kept for the test to read.
import { WebCodecsRecorder } from '../../renderer/src/capture/webcodecs-recorder.js';

const chunks: Uint8Array[] = [];
const errors: string[] = [];
let recorder: WebCodecsRecorder | null = null;

Object.assign(window, {
  rec: {
    supported: () => WebCodecsRecorder.supported(),
    async start(videoBps: number): Promise<void> {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360, frameRate: 30 } });
      recorder = new WebCodecsRecorder({ videoBps, audioBps: 96_000, keyframeEveryMs: 1000, onChunk: (b) => chunks.push(b.slice()), onError: (m) => errors.push(m) });
      await recorder.start(stream);
    },
    setVideoBitrate: (bps: number) => recorder?.setVideoBitrate(bps),
    stop: () => recorder?.stop(),
    errors: () => errors,
    /** The file so far, base64 (evaluate() carries strings well). */
    file(): string {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      let s = '';
      for (let i = 0; i < all.length; i += 0x8000) s += String.fromCharCode(...all.subarray(i, i + 0x8000));
      return btoa(s);
    },
  },
});
