// The camera path's encoder when the browser has WebCodecs: our own VideoEncoder (H.264) and
// AudioEncoder (Opus), muxed into live Matroska by mediabunny, in the same chunks MediaRecorder
// would send, so the engine's path is unchanged (H.264 copied, Opus made AAC). What MediaRecorder
// cannot do, this does: the video bitrate changes while it runs (`setVideoBitrate`), with no
// restart and no cut, which is how a weak upload bends instead of breaking (issue #12).
import { AppendOnlyStreamTarget, EncodedAudioPacketSource, EncodedPacket, EncodedVideoPacketSource, MkvOutputFormat, Output } from 'mediabunny';

export interface WebCodecsRecorderOptions {
  videoBps: number;
  audioBps: number;
  /** A keyframe at least this often, so a server that joins late starts within it. */
  keyframeEveryMs: number;
  /** Matroska bytes, in order, as clusters complete. */
  onChunk: (bytes: Uint8Array) => void;
  /** The encoder failed; the recorder has stopped. */
  onError: (message: string) => void;
}

/** The H.264 profile asked for: Constrained Baseline 3.1 (720p30), which every Chromium encoder offers. */
const AVC_CODEC = 'avc1.42e01f';
/** Frames waiting in the encoder beyond this are dropped: a live encoder must not fall behind real time. */
const MAX_ENCODE_QUEUE = 3;

interface TrackProcessor<T> {
  readable: ReadableStream<T>;
}
type TrackProcessorCtor = new <T>(init: { track: MediaStreamTrack }) => TrackProcessor<T>;

function trackProcessor(): TrackProcessorCtor | null {
  return (globalThis as { MediaStreamTrackProcessor?: TrackProcessorCtor }).MediaStreamTrackProcessor ?? null;
}

export class WebCodecsRecorder {
  private output: Output | null = null;
  private video: VideoEncoder | null = null;
  private audio: AudioEncoder | null = null;
  private videoConfig: VideoEncoderConfig | null = null;
  private readonly readers: ReadableStreamDefaultReader<VideoFrame | AudioData>[] = [];
  /**
   * Per track, capture time → file time. Chromium stamps audio and video on different clocks, so
   * each track is anchored where its first sample lands on the wall clock since start (what
   * mediabunny's own MediaStream sources do), which keeps the two in sync in the file.
   */
  private readonly offsets = new Map<'audio' | 'video', number>();
  private startedUs = 0;
  private lastKeyUs = -Infinity;
  private lastVideoUs = -Infinity;
  private stopped = false;
  /** Packets are added in order (mediabunny's add is async). */
  private chain: Promise<void> = Promise.resolve();

  /** Whether this browser can record this way (Chromium: WebCodecs and track processors). */
  static supported(): boolean {
    return typeof VideoEncoder !== 'undefined' && typeof AudioEncoder !== 'undefined' && trackProcessor() !== null;
  }

  constructor(private readonly o: WebCodecsRecorderOptions) {}

  get videoBitrate(): number | null {
    return this.videoConfig?.bitrate ?? null;
  }

  async start(stream: MediaStream): Promise<void> {
    const Processor = trackProcessor();
    if (!Processor) throw new Error('This browser has no MediaStreamTrackProcessor');
    const videoTrack = stream.getVideoTracks()[0] ?? null;
    const audioTrack = stream.getAudioTracks()[0] ?? null;
    const output = new Output({
      format: new MkvOutputFormat({ appendOnly: true, minimumClusterDuration: 0.25 }),
      target: new AppendOnlyStreamTarget(new WritableStream<Uint8Array>({ write: (chunk) => this.o.onChunk(chunk) })),
    });
    const videoSource = videoTrack ? new EncodedVideoPacketSource('avc') : null;
    const audioSource = audioTrack ? new EncodedAudioPacketSource('opus') : null;
    if (videoSource) output.addVideoTrack(videoSource, { frameRate: videoTrack!.getSettings().frameRate ?? 30 });
    if (audioSource) output.addAudioTrack(audioSource);
    await output.start();
    this.output = output;
    this.startedUs = performance.now() * 1000;

    if (videoTrack && videoSource) {
      const s = videoTrack.getSettings();
      this.videoConfig = {
        codec: AVC_CODEC,
        width: s.width ?? 1280,
        height: s.height ?? 720,
        bitrate: this.o.videoBps,
        framerate: s.frameRate ?? 30,
        latencyMode: 'realtime',
        avc: { format: 'avc' },
      };
      this.video = new VideoEncoder({
        output: (chunk, meta) => this.add(() => videoSource.add(this.packet('video', chunk), meta)),
        error: (e) => this.fail(`The video encoder failed: ${e.message}`),
      });
      this.video.configure(this.videoConfig);
      this.pump<VideoFrame>(new Processor<VideoFrame>({ track: videoTrack }).readable, (frame) => this.encodeVideo(frame));
    }
    if (audioTrack && audioSource) {
      const s = audioTrack.getSettings();
      this.audio = new AudioEncoder({
        output: (chunk, meta) => this.add(() => audioSource.add(this.packet('audio', chunk), meta)),
        error: (e) => this.fail(`The audio encoder failed: ${e.message}`),
      });
      this.audio.configure({ codec: 'opus', sampleRate: s.sampleRate ?? 48_000, numberOfChannels: s.channelCount ?? 1, bitrate: this.o.audioBps });
      this.pump<AudioData>(new Processor<AudioData>({ track: audioTrack }).readable, (data) => this.encodeAudio(data));
    }
  }

  /**
   * A new video bitrate from now on, without a restart: WebCodecs takes it on configure(). The
   * next frame is a keyframe, so the new rate applies from a clean point for every server.
   */
  setVideoBitrate(bps: number): void {
    if (!this.video || !this.videoConfig || this.stopped || this.videoConfig.bitrate === bps) return;
    this.videoConfig = { ...this.videoConfig, bitrate: Math.round(bps) };
    this.video.configure(this.videoConfig);
    this.lastKeyUs = -Infinity;
  }

  /** Stops capture and finishes the file's last cluster. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.readers.map((r) => r.cancel().catch(() => undefined)));
    await Promise.all([this.video, this.audio].map((e) => (e && e.state === 'configured' ? e.flush().catch(() => undefined) : undefined)));
    this.video?.close();
    this.audio?.close();
    await this.chain;
    await this.output?.finalize().catch(() => undefined);
  }

  private pump<T extends VideoFrame | AudioData>(readable: ReadableStream<T>, each: (item: T) => void): void {
    const reader = readable.getReader();
    this.readers.push(reader as ReadableStreamDefaultReader<VideoFrame | AudioData>);
    const next = (): void => {
      void reader.read().then(({ value, done }) => {
        if (done || this.stopped) {
          value?.close();
          return;
        }
        each(value);
        next();
      }, () => undefined);
    };
    next();
  }

  private encodeVideo(frame: VideoFrame): void {
    const enc = this.video;
    const ts = this.fileTime('video', frame.timestamp);
    // A frame within a millisecond of the last is a capture burst: Matroska's clock could not tell them apart.
    if (!enc || enc.state !== 'configured' || enc.encodeQueueSize > MAX_ENCODE_QUEUE || ts < this.lastVideoUs + 1000) {
      frame.close();
      return;
    }
    this.lastVideoUs = ts;
    const key = ts - this.lastKeyUs >= this.o.keyframeEveryMs * 1000;
    if (key) this.lastKeyUs = ts;
    enc.encode(frame, { keyFrame: key });
    frame.close();
  }

  private encodeAudio(data: AudioData): void {
    const enc = this.audio;
    if (!enc || enc.state !== 'configured' || this.fileTime('audio', data.timestamp) < 0) {
      data.close();
      return;
    }
    enc.encode(data);
    data.close();
  }

  /** Capture time → the file's time (µs since start); a track's first sample anchors it. */
  private fileTime(track: 'audio' | 'video', us: number): number {
    let offset = this.offsets.get(track);
    if (offset === undefined) {
      offset = us - (performance.now() * 1000 - this.startedUs);
      this.offsets.set(track, offset);
    }
    return us - offset;
  }

  /** An encoder's chunk as a packet on the file's timeline. */
  private packet(track: 'audio' | 'video', chunk: EncodedVideoChunk | EncodedAudioChunk): EncodedPacket {
    return EncodedPacket.fromEncodedChunk(chunk).clone({ timestamp: this.fileTime(track, chunk.timestamp) / 1e6 });
  }

  private add(job: () => Promise<void>): void {
    this.chain = this.chain.then(job).catch((e: unknown) => this.fail(`Muxing failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  private fail(message: string): void {
    if (this.stopped) return;
    this.o.onError(message);
    void this.stop();
  }
}
