// What the uplink controller may bend: the test pattern's and a camera's video, never audio-only
// capture (the network strip would otherwise say "reduced" with no video on air).
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/engine/base/logger.js';
import { EncoderStage } from '../../main/engine/encoder/encoder-stage.js';
import { sourceSpecSchema } from '../../main/engine/encoder/source.js';

// The stage's encoder is never fed here: /bin/cat stands in for ffmpeg and waits on its stdin.
const stages: EncoderStage[] = [];
function started(spec: Parameters<typeof sourceSpecSchema.parse>[0]): EncoderStage {
  const stage = new EncoderStage('/bin/cat', silentLogger, { onHeader: () => {}, onTag: () => {}, onStatus: () => {} });
  stages.push(stage);
  stage.start(sourceSpecSchema.parse(spec));
  return stage;
}

afterEach(async () => {
  await Promise.all(stages.splice(0).map((s) => s.stop()));
});

describe('EncoderStage.rates', () => {
  it('gives the camera video rate for a capture with video', () => {
    expect(started({ kind: 'chunks', mimeType: 'video/x-matroska;codecs=avc1,opus', videoKbps: 1800 }).rates()).toMatchObject({ videoBps: 1_800_000 });
  });

  it('has nothing to bend for audio-only capture', () => {
    expect(started({ kind: 'chunks', mimeType: 'audio/webm;codecs=opus' }).rates()).toBeNull();
  });

  it('has nothing to bend for the audio test tone', () => {
    expect(started({ kind: 'audio-test' }).rates()).toBeNull();
  });
});
