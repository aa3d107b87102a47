import { describe, expect, it } from 'vitest';
import { type FlvTag, TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO, isKeyframe, isSequenceHeader } from '../../main/engine/flv/flv-tag.js';
import { TimestampRebaser } from '../../main/engine/flv/timestamp-rebaser.js';
import { RelayFeed } from '../../main/engine/relay/relay-feed.js';

const meta: FlvTag = { type: TAG_SCRIPT, timestamp: 0, data: Buffer.concat([Buffer.from([2, 0, 10]), Buffer.from('onMetaData'), Buffer.from([5])]) };
const avcConfig: FlvTag = { type: TAG_VIDEO, timestamp: 0, data: Buffer.from([0x17, 0, 0, 0, 0, 1]) };
const aacConfig: FlvTag = { type: TAG_AUDIO, timestamp: 0, data: Buffer.from([0xaf, 0, 0x11, 0x90]) };
const video = (ts: number, key: boolean): FlvTag => ({ type: TAG_VIDEO, timestamp: ts, data: Buffer.alloc(1000, 1).fill(key ? 0x17 : 0x27, 0, 1) });
const audio = (ts: number): FlvTag => ({ type: TAG_AUDIO, timestamp: ts, data: Buffer.from([0xaf, 1, 1, 2, 3]) });

/** Drains the feed: the messages a relay's publisher would send, as tags. */
function drain(feed: RelayFeed): FlvTag[] {
  const out: FlvTag[] = [];
  for (let q = feed.shift(); q; q = feed.shift()) out.push({ type: q.type, timestamp: q.timestamp, data: q.buf });
  return out;
}

describe('RelayFeed', () => {
  it('holds config until the first keyframe, stamps it with the keyframe time, and drops frames before it', () => {
    const drops: number[] = [];
    const feed = new RelayFeed(new TimestampRebaser(() => 0), () => true, (g) => drops.push(g));
    feed.push(meta);
    feed.push(avcConfig);
    feed.push(aacConfig);
    feed.push(video(900, false)); // mid-GOP: not decodable, dropped
    feed.push(audio(910));
    feed.push(video(1000, true));
    feed.push(audio(1010));
    const out = drain(feed);
    expect(out.map((t) => t.type)).toEqual([TAG_SCRIPT, TAG_VIDEO, TAG_AUDIO, TAG_VIDEO, TAG_AUDIO]);
    expect(out.map((t) => t.timestamp)).toEqual([0, 0, 0, 0, 10]);
    expect(isKeyframe(out[3]!)).toBe(true);
    expect(drops).toEqual([]);
  });

  it('always stamps onMetaData with 0, even when the relay joins at a later time', () => {
    const feed = new RelayFeed(new TimestampRebaser(() => 0), () => true, () => {});
    feed.push(video(0, true));
    feed.discontinuity();
    feed.push(meta);
    feed.push(avcConfig);
    feed.push(video(5000, true));
    const out = drain(feed);
    expect(out.map((t) => [t.type, t.timestamp])).toEqual([[TAG_VIDEO, 0], [TAG_SCRIPT, 0], [TAG_VIDEO, 1], [TAG_VIDEO, 1]]);
  });

  it('on overflow drops whole GOPs and resumes exactly at the next keyframe', () => {
    const drops: number[] = [];
    const feed = new RelayFeed(new TimestampRebaser(() => 0), () => true, (g) => drops.push(g), { maxMs: 2000, maxBytes: 10 * 1024 * 1024 });
    feed.push(avcConfig);
    // Nobody drains: 1 s GOPs at 10 fps overflow a 2 s backlog at 2.1 s.
    for (let ts = 0; ts <= 2100; ts += 100) feed.push(video(ts, ts % 1000 === 0));
    expect(drops).toEqual([3]); // the GOPs starting at 0, 1000 and 2000
    expect(feed.waitingForSync).toBe(true);
    for (let ts = 2200; ts <= 3500; ts += 100) feed.push(video(ts, ts % 1000 === 0));
    expect(feed.waitingForSync).toBe(false);
    const out = drain(feed);
    // Everything from the drop to the next keyframe is gone; the stream resumes at 3000 with the
    // AVC sequence header sent again (it may have been among the dropped tags).
    expect(out.map((t) => t.timestamp)).toEqual([3000, 3000, 3100, 3200, 3300, 3400, 3500]);
    expect(isSequenceHeader(out[0]!)).toBe(true);
    expect(isKeyframe(out[1]!) && !isSequenceHeader(out[1]!)).toBe(true);
  });

  it('treats every audio frame as a sync point in an audio-only stream', () => {
    const feed = new RelayFeed(new TimestampRebaser(() => 0), () => false, () => {});
    feed.push(aacConfig);
    feed.push(audio(500));
    feed.push(audio(521));
    const out = drain(feed);
    expect(out.map((t) => t.timestamp)).toEqual([0, 0, 21]);
  });

  it('re-sends sequence headers after a discontinuity (source switch), on one timeline', () => {
    let now = 0;
    const feed = new RelayFeed(new TimestampRebaser(() => now), () => true, () => {});
    feed.push(avcConfig);
    feed.push(video(0, true));
    now = 33;
    feed.push(video(33, false));
    now = 1033;
    feed.discontinuity();
    feed.push(avcConfig);
    feed.push(aacConfig);
    feed.push(video(0, true)); // new encoder starts from 0
    const out = drain(feed);
    expect(out.map((t) => t.timestamp)).toEqual([0, 0, 33, 1033, 1033, 1033]);
    expect(out.slice(3).map((t) => t.type)).toEqual([TAG_VIDEO, TAG_AUDIO, TAG_VIDEO]);
  });

  it('joins far into the stream without a false overflow (metadata at 0, media at 8 s)', () => {
    let now = 0;
    const drops: number[] = [];
    const feed = new RelayFeed(new TimestampRebaser(() => now), () => true, (g) => drops.push(g), { maxMs: 4000, maxBytes: 1 << 24 });
    feed.push(avcConfig);
    feed.push(video(0, true));
    drain(feed); // the first session sent everything
    now = 8000;
    feed.discontinuity(); // the relay re-joins 8 s later
    feed.push(meta);
    feed.push(avcConfig);
    feed.push(aacConfig);
    feed.push(video(8000, true));
    expect(drops).toEqual([]);
    const out = drain(feed);
    expect(out.map((t) => [t.type, t.timestamp])).toEqual([[TAG_SCRIPT, 0], [TAG_VIDEO, 8000], [TAG_AUDIO, 8000], [TAG_VIDEO, 8000]]);
  });

  it('re-sends the sequence headers at the next keyframe after a drop', () => {
    const drops: number[] = [];
    const feed = new RelayFeed(new TimestampRebaser(() => 0), () => true, (g) => drops.push(g), { maxMs: 1000, maxBytes: 1 << 24 });
    feed.push(avcConfig);
    feed.push(aacConfig);
    for (let ts = 0; ts <= 1500; ts += 100) feed.push(video(ts, ts % 1000 === 0)); // nobody drains: overflow at 1.1 s
    expect(drops.length).toBe(1);
    for (let ts = 1600; ts <= 2000; ts += 100) feed.push(video(ts, ts % 1000 === 0));
    const out = drain(feed);
    // After the drop: both sequence headers, then the 2000 keyframe; nothing in between.
    expect(out.map((t) => [t.type, t.timestamp, isSequenceHeader(t)])).toEqual([
      [TAG_VIDEO, 2000, true],
      [TAG_AUDIO, 2000, true],
      [TAG_VIDEO, 2000, false],
    ]);
  });
});
