import { describe, expect, it } from 'vitest';
import { acknowledgement } from '../../app/media/rtmp-acks.js';
import { RtmpChunkReader } from '../../main/engine/rtmp/chunks.js';

describe('node RTMP acknowledgements', () => {
  it('are one whole protocol-control chunk the engine’s own chunk reader takes as an Acknowledgement', () => {
    const msgs = new RtmpChunkReader().push(Buffer.concat([acknowledgement(65_536), acknowledgement(2 ** 32 + 5)]));
    expect(msgs.map((m) => [m.type, m.csid, m.streamId, m.payload.readUInt32BE(0)])).toEqual([
      [3, 2, 0, 65_536],
      [3, 2, 0, 5], // the sequence number wraps at 2^32, as RTMP's does
    ]);
  });
});
