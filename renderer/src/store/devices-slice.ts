// Devices: the cameras and microphones the browser offers, the chosen ones, the audio-only switch,
// the test-pattern choice and the live audio level. Capture itself lives in capture/ (DOM code).
import type { Slice } from './slice.js';

export interface MediaDevice {
  deviceId: string;
  label: string;
}

export type Permission = 'unknown' | 'granted' | 'denied' | 'no-devices';

export interface DevicesSlice {
  cameras: MediaDevice[];
  microphones: MediaDevice[];
  cameraId: string | null;
  microphoneId: string | null;
  audioOnly: boolean;
  /** Stream the engine's test pattern instead of a camera (the default when there is none). */
  useTestPattern: boolean;
  /** Draw the brand logo into the streamed video. */
  logoOverlay: boolean;
  permission: Permission;
  deviceError: string | null;
  /** 0..1, the microphone's recent peak. */
  level: number;
  setDevices(cameras: MediaDevice[], microphones: MediaDevice[]): void;
  selectCamera(id: string): void;
  selectMicrophone(id: string): void;
  setAudioOnly(on: boolean): void;
  setUseTestPattern(on: boolean): void;
  setLogoOverlay(on: boolean): void;
  setPermission(p: Permission, error?: string | null): void;
  setLevel(level: number): void;
}

export const createDevicesSlice = (): Slice<DevicesSlice> => (set, get) => ({
  cameras: [],
  microphones: [],
  cameraId: null,
  microphoneId: null,
  audioOnly: false,
  useTestPattern: false,
  logoOverlay: false,
  permission: 'unknown',
  deviceError: null,
  level: 0,
  setDevices(cameras, microphones) {
    const { cameraId, microphoneId } = get();
    set({
      cameras,
      microphones,
      // Keep the choice while its device is still there; otherwise fall back to the first.
      cameraId: cameras.some((c) => c.deviceId === cameraId) ? cameraId : (cameras[0]?.deviceId ?? null),
      microphoneId: microphones.some((m) => m.deviceId === microphoneId) ? microphoneId : (microphones[0]?.deviceId ?? null),
      ...(cameras.length === 0 && microphones.length === 0 ? { useTestPattern: true } : {}),
    });
  },
  selectCamera(cameraId) {
    if (get().cameras.some((c) => c.deviceId === cameraId)) set({ cameraId });
  },
  selectMicrophone(microphoneId) {
    if (get().microphones.some((m) => m.deviceId === microphoneId)) set({ microphoneId });
  },
  setAudioOnly(audioOnly) {
    set({ audioOnly });
  },
  setUseTestPattern(useTestPattern) {
    set({ useTestPattern });
  },
  setLogoOverlay(logoOverlay) {
    set({ logoOverlay });
  },
  setPermission(permission, error = null) {
    set({ permission, deviceError: error, ...(permission === 'denied' || permission === 'no-devices' ? { useTestPattern: true } : {}) });
  },
  setLevel(level) {
    set({ level: Math.max(0, Math.min(1, level)) });
  },
});
