// Capture: the camera and microphone (getUserMedia), the preview stream, the level meter, and the
// recorder whose chunks go to the engine. With WebCodecs (Chromium, so the app), our own encoders
// write Matroska with H.264 + Opus (webcodecs-recorder.ts), whose video bitrate the engine can bend
// while live when the upload is short; otherwise MediaRecorder records the same Matroska, or
// VP8/Opus WebM the engine transcodes; audio-only always uses MediaRecorder. A keyframe every second
// lets a server that joins late start within a second.
import type { TandemApi } from '../../../common/ipc-contract.js';
import type { AppStore } from '../store/app-store.js';
import { type Overlay, loadLogo, withLogo } from './logo-overlay.js';
import { WebCodecsRecorder } from './webcodecs-recorder.js';

const VIDEO_TYPES = ['video/x-matroska;codecs=avc1,opus', 'video/webm;codecs=h264,opus', 'video/webm;codecs=vp8,opus', 'video/webm'];
const AUDIO_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus'];
/** Small slices keep latency low; each one is a binary IPC message. */
export const TIMESLICE_MS = 250;
/** What the WebCodecs recorder writes: the type Chromium's MediaRecorder gives the same content. */
export const WEBCODECS_TYPE = 'video/x-matroska;codecs=avc1,opus';
const VIDEO_BPS = 2_500_000;
/** How the words for a capture that ended while live begin. */
export const CAPTURE_ENDED_PREFIX = 'Your stream has no new picture or sound:';
const AUDIO_BPS = 128_000;

export function pickMimeType(audioOnly: boolean, isSupported: (t: string) => boolean): string | null {
  return (audioOnly ? AUDIO_TYPES : VIDEO_TYPES).find((t) => isSupported(t)) ?? null;
}

export class CaptureController {
  private stream: MediaStream | null = null;
  private recorder: MediaRecorder | null = null;
  private encoder: WebCodecsRecorder | null = null;
  /** The video bitrate the engine asked for (the upload's step); kept for the next recording. */
  private videoBps = VIDEO_BPS;
  private audioCtx: AudioContext | null = null;
  private meter: ReturnType<typeof setInterval> | null = null;
  /** Chunks are sent in order even though Blob.arrayBuffer() is async. */
  private sendChain: Promise<void> = Promise.resolve();
  private readonly streamListeners = new Set<(s: MediaStream | null) => void>();
  private overlay: Overlay | null = null;
  private logo: HTMLCanvasElement | null = null;
  private readonly offBrand: () => void;
  private readonly offBitrate: () => void;
  /** Bumped by every open and close: an open that was overtaken while it waited gives up. */
  private previewGen = 0;

  constructor(
    private readonly store: AppStore,
    private readonly api: TandemApi,
  ) {
    // The overlay's logo follows the brand (profile or assets/brand/), rasterised once per change.
    let src: string | undefined;
    const follow = () => {
      const next = store.getState().profile?.brand.logo;
      if (next === src) return;
      src = next;
      this.logo = null;
      if (next) void loadLogo(next).then((c) => (src === next ? (this.logo = c) : null), () => undefined);
    };
    follow();
    this.offBrand = store.subscribe(follow);
    // The upload's step (the engine's uplink controller): the camera's encoder takes it at once.
    this.offBitrate = api.on('videoBitrate', (e) => this.setVideoBitrate(e.bps));
  }

  /** Whether the logo overlay can be drawn right now (a logo is loaded). */
  get hasLogo(): boolean {
    return this.logo !== null;
  }

  get previewStream(): MediaStream | null {
    return this.stream;
  }

  get recording(): boolean {
    return this.encoder !== null || (this.recorder !== null && this.recorder.state === 'recording');
  }

  /** The engine's answer to a short upload: the camera's video at this bitrate from now on (WebCodecs only). */
  setVideoBitrate(bps: number): void {
    this.videoBps = bps;
    this.encoder?.setVideoBitrate(bps);
  }

  onStream(listener: (s: MediaStream | null) => void): () => void {
    this.streamListeners.add(listener);
    return () => void this.streamListeners.delete(listener);
  }

  async refreshDevices(): Promise<void> {
    if (!navigator.mediaDevices?.enumerateDevices) {
      this.store.getState().setPermission('no-devices', 'This browser offers no camera or microphone access.');
      return;
    }
    const all = await navigator.mediaDevices.enumerateDevices();
    const named = (kind: MediaDeviceKind, word: string) =>
      all.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${word} ${i + 1}` }));
    this.store.getState().setDevices(named('videoinput', 'Camera'), named('audioinput', 'Microphone'));
  }

  /** (Re)opens the preview with the chosen devices; audio-only opens the microphone alone. */
  async openPreview(): Promise<MediaStream | null> {
    const s = this.store.getState();
    this.closePreview();
    const gen = this.previewGen;
    if (!navigator.mediaDevices?.getUserMedia) {
      s.setPermission('no-devices', 'This browser offers no camera or microphone access.');
      return null;
    }
    const audio: MediaTrackConstraints | boolean = s.microphoneId ? { deviceId: { exact: s.microphoneId }, echoCancellation: true } : true;
    const video: MediaTrackConstraints | false = s.audioOnly
      ? false
      : { ...(s.cameraId ? { deviceId: { exact: s.cameraId } } : {}), width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio, video });
    } catch (err) {
      if (gen !== this.previewGen) return this.stream; // overtaken: its own open reports
      const name = (err as DOMException).name;
      if (name === 'NotAllowedError') s.setPermission('denied', 'Camera and microphone access was refused. Allow it in the browser, or stream the test pattern.');
      else s.setPermission('no-devices', 'No camera or microphone was found. You can stream the test pattern.');
      this.emit();
      return null;
    }
    if (gen !== this.previewGen) {
      // Closed or opened again while the browser asked: this stream is nobody's.
      stream.getTracks().forEach((t) => t.stop());
      return this.stream;
    }
    this.stream = stream;
    s.setPermission('granted');
    await this.refreshDevices();
    if (gen !== this.previewGen) return this.stream;
    this.startMeter(stream);
    this.emit();
    return stream;
  }

  closePreview(): void {
    this.previewGen++;
    this.stopRecording();
    this.stopMeter();
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.emit();
  }

  mimeType(): string | null {
    if (!this.store.getState().audioOnly && WebCodecsRecorder.supported()) return WEBCODECS_TYPE;
    if (typeof MediaRecorder === 'undefined') return null;
    return pickMimeType(this.store.getState().audioOnly, (t) => MediaRecorder.isTypeSupported(t));
  }

  /** Starts recording the preview stream; chunks go to the engine as `capture.chunk`. */
  startRecording(mimeType: string): boolean {
    if (!this.stream || this.recording) return false;
    const audioOnly = this.stream.getVideoTracks().length === 0;
    let stream = audioOnly ? new MediaStream(this.stream.getAudioTracks()) : this.stream;
    if (!audioOnly && this.store.getState().logoOverlay && this.logo) {
      this.overlay = withLogo(this.stream, this.logo);
      if (this.overlay) stream = this.overlay.stream;
    }
    this.watchEnded(this.stream);
    if (!audioOnly && mimeType === WEBCODECS_TYPE && WebCodecsRecorder.supported()) return this.startEncoder(stream);
    // videoKeyFrameIntervalDuration is Chromium's (not yet in the DOM typings).
    const options = {
      mimeType,
      audioBitsPerSecond: AUDIO_BPS,
      ...(audioOnly ? {} : { videoBitsPerSecond: VIDEO_BPS, videoKeyFrameIntervalDuration: 1000 }),
    } as MediaRecorderOptions;
    const rec = new MediaRecorder(stream, options);
    rec.ondataavailable = (e) => {
      if (e.data.size === 0) return;
      const blob = e.data;
      this.sendChain = this.sendChain.then(async () => {
        const buf = new Uint8Array(await blob.arrayBuffer());
        if (this.recorder === rec || rec.state !== 'inactive') this.api.sendChunk(buf);
      });
    };
    rec.start(TIMESLICE_MS);
    this.recorder = rec;
    return true;
  }

  stopRecording(): void {
    const enc = this.encoder;
    this.encoder = null;
    void enc?.stop();
    const rec = this.recorder;
    this.recorder = null;
    this.overlay?.stop();
    this.overlay = null;
    if (rec && rec.state !== 'inactive') {
      rec.ondataavailable = null;
      rec.stop();
    }
  }

  /**
   * A capture track that ends by itself while recording (the browser withdrew camera or microphone
   * access, the device went away) ends the media: both recorders then go quiet, the servers keep a
   * publish that carries nothing new and viewers stall on its last second. Say so in words.
   * (Our own stop() of a track fires no 'ended'.)
   */
  private watchEnded(stream: MediaStream): void {
    const onEnded = (e: Event) => {
      if (this.stream !== stream || !this.recording) return;
      const what = (e.target as MediaStreamTrack).kind === 'audio' ? 'microphone' : 'camera';
      this.store.setState({ liveError: `${CAPTURE_ENDED_PREFIX} the ${what} stopped (access was withdrawn or the device went away), so nothing new reaches your servers. Allow access and go live again, or stream the test pattern.` });
    };
    for (const t of stream.getTracks()) t.addEventListener('ended', onEnded, { once: true });
  }

  /** The WebCodecs path: chunks in order as clusters complete; an encoder failure is said in words. */
  private startEncoder(stream: MediaStream): boolean {
    const enc = new WebCodecsRecorder({
      videoBps: this.videoBps,
      audioBps: AUDIO_BPS,
      keyframeEveryMs: 1000,
      onChunk: (bytes) => {
        if (this.encoder === enc) this.api.sendChunk(bytes.slice());
      },
      onError: (message) => {
        if (this.encoder !== enc) return;
        this.encoder = null;
        this.store.setState({ liveError: `${message}. Stop and go live again, or stream the test pattern.` });
      },
    });
    this.encoder = enc;
    enc.start(stream).catch((err: unknown) => {
      if (this.encoder === enc) {
        this.encoder = null;
        this.store.setState({ liveError: `The camera could not be encoded: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
    return true;
  }

  dispose(): void {
    this.offBrand();
    this.offBitrate();
    this.closePreview();
    this.streamListeners.clear();
  }

  private startMeter(stream: MediaStream): void {
    const track = stream.getAudioTracks()[0];
    if (!track) return;
    try {
      this.audioCtx = new AudioContext();
      const src = this.audioCtx.createMediaStreamSource(new MediaStream([track]));
      const analyser = this.audioCtx.createAnalyser();
      analyser.fftSize = 1024;
      src.connect(analyser);
      const buf = new Float32Array(analyser.fftSize);
      // A timer, not requestAnimationFrame: the meter keeps moving when the window is in the background.
      this.meter = setInterval(() => {
        analyser.getFloatTimeDomainData(buf);
        let peak = 0;
        for (const v of buf) peak = Math.max(peak, Math.abs(v));
        this.store.getState().setLevel(peak);
      }, 100);
    } catch {
      this.audioCtx = null;
    }
  }

  private stopMeter(): void {
    if (this.meter) clearInterval(this.meter);
    this.meter = null;
    void this.audioCtx?.close().catch(() => undefined);
    this.audioCtx = null;
    this.store.getState().setLevel(0);
  }

  private emit(): void {
    this.streamListeners.forEach((l) => l(this.stream));
  }
}
