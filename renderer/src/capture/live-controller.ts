// Ties the store's live session to capture: Go Live starts the recorder once the engine is ready
// for it; Stop ends it; a window that finds the session live with the slate on air (its
// predecessor crashed or was closed) re-attaches its capture; another window taking over stops ours.
import type { SessionView } from '../../../common/ipc-contract.js';
import type { AppStore } from '../store/app-store.js';
import type { CaptureController } from './capture-controller.js';

export class LiveController {
  private reattaching = false;
  private readonly off: () => void;

  constructor(
    private readonly store: AppStore,
    private readonly capture: CaptureController,
  ) {
    this.off = store.subscribe((s, prev) => {
      if (s.session !== prev.session && s.session) void this.onSession(s.session);
    });
  }

  async goLive(): Promise<void> {
    const s = this.store.getState();
    if (s.busy || (s.session && s.session.state !== 'idle')) return;
    if (s.useTestPattern) {
      await s.goLive({ kind: 'test-pattern' });
      return;
    }
    const stream = this.capture.previewStream ?? (await this.capture.openPreview());
    const mimeType = this.capture.mimeType();
    if (!stream || !mimeType) {
      this.store.setState({ liveError: 'No camera or microphone to record. Choose the test pattern, or allow access.' });
      return;
    }
    const r = await this.store.getState().goLive({ kind: 'capture', mimeType });
    if (r?.live) this.capture.startRecording(mimeType);
  }

  async stop(): Promise<void> {
    this.capture.stopRecording();
    await this.store.getState().stop();
  }

  /** The audio-only switch: reopens the devices and, while live from this window, re-attaches. */
  async setAudioOnly(on: boolean): Promise<void> {
    const s = this.store.getState();
    s.setAudioOnly(on);
    const wasOnAir = s.session?.state === 'live' && s.session.captureOwner;
    this.capture.stopRecording();
    await this.capture.openPreview();
    if (wasOnAir) await this.attach();
  }

  /** The logo overlay applies to the recording: while on air, a new recording replaces the old. */
  async setLogoOverlay(on: boolean): Promise<void> {
    const s = this.store.getState();
    s.setLogoOverlay(on);
    if (s.session?.state === 'live' && s.session.captureOwner) {
      this.capture.stopRecording();
      await this.attach();
    }
  }

  /** Device changes reopen the preview; while on air, the new capture replaces the old. */
  async reopenDevices(): Promise<void> {
    await this.setAudioOnly(this.store.getState().audioOnly);
  }

  dispose(): void {
    this.off();
  }

  private async onSession(view: SessionView): Promise<void> {
    if (view.state !== 'live') {
      if (view.state === 'idle') this.capture.stopRecording();
      return;
    }
    if (!view.captureOwner && this.capture.recording) this.capture.stopRecording();
    if (view.onAir === 'slate' && !this.store.getState().useTestPattern) await this.attach();
  }

  private async attach(): Promise<void> {
    if (this.reattaching) return;
    this.reattaching = true;
    try {
      const stream = this.capture.previewStream ?? (await this.capture.openPreview());
      const mimeType = this.capture.mimeType();
      if (!stream || !mimeType) return;
      if (await this.store.getState().attachCapture(mimeType)) this.capture.startRecording(mimeType);
    } finally {
      this.reattaching = false;
    }
  }
}
