// The capture controller's preview under overlapping opens and closes (device pickers changed
// quickly, audio-only switched while the browser is still asking, the window reloading): an open
// that was overtaken while it waited for the browser gives its stream back instead of using a
// preview that is gone (it threw "Cannot read properties of null (reading 'getAudioTracks')").
// Type-checked with the renderer (DOM types), hence the .dom.test.ts name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TandemApi } from '../../common/ipc-contract.js';
import { CaptureController } from '../../renderer/src/capture/capture-controller.js';
import { createAppStore } from '../../renderer/src/store/app-store.js';

// Only the preview is exercised: nothing here reaches the engine (events are listened to, none come).
const api = { on: () => () => undefined } as unknown as TandemApi;

class FakeTrack {
  stopped = false;
  constructor(readonly kind: 'audio' | 'video') {}
  stop(): void {
    this.stopped = true;
  }
}

class FakeStream {
  readonly tracks = [new FakeTrack('audio'), new FakeTrack('video')];
  getTracks = () => this.tracks;
  getAudioTracks = () => this.tracks.filter((t) => t.kind === 'audio');
  getVideoTracks = () => this.tracks.filter((t) => t.kind === 'video');
  get stopped(): boolean {
    return this.tracks.every((t) => t.stopped);
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let asks: Array<ReturnType<typeof deferred<FakeStream>>>;
let enumerateGate: ReturnType<typeof deferred<void>> | null;
const g = globalThis as Record<string, unknown>;
const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

beforeEach(() => {
  asks = [];
  enumerateGate = null;
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: {
      mediaDevices: {
        getUserMedia: () => {
          const d = deferred<FakeStream>();
          asks.push(d);
          return d.promise;
        },
        enumerateDevices: async () => {
          await enumerateGate?.promise;
          return [];
        },
      },
    },
  });
  g.MediaStream = FakeStream;
});

afterEach(() => {
  if (had) Object.defineProperty(globalThis, 'navigator', had);
  else delete g.navigator;
  delete g.MediaStream;
});

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('capture preview', () => {
  it('an open overtaken while it lists devices leaves the preview to the newer open', async () => {
    const c = new CaptureController(createAppStore(api), api);
    enumerateGate = deferred<void>();
    const first = c.openPreview();
    const a = new FakeStream();
    asks[0]!.resolve(a);
    await tick(); // the first open now waits for the device list
    const second = c.openPreview();
    enumerateGate.resolve();
    await first; // it threw here, reading the audio tracks of a preview that was gone
    const b = new FakeStream();
    asks[1]!.resolve(b);
    expect(await second).toBe(b);
    expect(c.previewStream).toBe(b);
    expect(a.stopped).toBe(true);
    expect(b.stopped).toBe(false);
    c.dispose();
  });

  it('a stream granted after the preview was closed is stopped, not shown', async () => {
    const c = new CaptureController(createAppStore(api), api);
    const open = c.openPreview();
    c.closePreview();
    const late = new FakeStream();
    asks[0]!.resolve(late);
    expect(await open).toBeNull();
    expect(c.previewStream).toBeNull();
    expect(late.stopped).toBe(true);
    c.dispose();
  });
});
