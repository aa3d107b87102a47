// Issue #12's camera path, end to end: the presenter's camera (Chromium's fake device, encoded by
// WebCodecs in the page) streams to two Tandem nodes through an upload squeezed to 1.5 Mb/s. The
// uplink controller steps down ("Reduced for your connection"), the engine's new bitrate reaches
// the page as a `videoBitrate` event, the capture controller hands it to the WebCodecs encoder, and
// the camera's video really gets cheaper: the local recording (a copy of the camera's H.264, never
// re-encoded) costs well under what it did before the squeeze in its last seconds. Runs in a
// network namespace of its own (support/studio-uplink-run.ts camera). Screenshots:
// test/artifacts/studio-uplink-camera-{full,reduced,saved}.png.
import { describe, expect, it } from 'vitest';
import { runUplinkScenarioInNamespace } from './support/uplink-namespace.js';

describe('the camera on a squeezed upload', () => {
  it("takes the engine's lower bitrate: the recording of the camera gets cheaper after the step", async () => {
    const seen = await runUplinkScenarioInNamespace('camera');
    expect(seen.pageErrors).toEqual([]);
    expect(seen.reduced.step).toMatch(/^Reduced for your connection: \d\.\d Mb\/s of 2\.5$/);
    expect(seen.stepDownMs).toBeLessThan(10_000);
    expect(seen.savedText).toMatch(/^Recording saved: Tandem .*\.mkv — \d+ (kB|MB), \d\d:\d\d$/);
    expect(seen.recording?.codecs).toEqual(expect.arrayContaining(['h264']));
    const { kbpsBeforeSqueeze, kbpsLast3s } = seen.recording!;
    // The camera was encoding at its full rate before, and at a lower step at the end (the lowest
    // step the 1.5 Mb/s upload needs is 20 % or 35 %: half is generous headroom for the encoder's jitter).
    expect(kbpsBeforeSqueeze).toBeGreaterThan(800);
    expect(kbpsLast3s).toBeLessThan(kbpsBeforeSqueeze * 0.5);
    expect(Math.abs(seen.recording!.durationS - seen.webcastS)).toBeLessThanOrEqual(1);
  });
});
