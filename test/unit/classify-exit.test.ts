import { describe, expect, it } from 'vitest';
import { classifyRelayExit } from '../../main/engine/relay/classify-exit.js';

const facts = (lines: string[], published = false, publishedForMs = 0) => ({ stderrTail: lines, published, publishedForMs });

describe('classifyRelayExit', () => {
  it('maps ffmpeg wording to the closed set of reasons', () => {
    expect(classifyRelayExit(facts(['[tcp] Connection to tcp://127.0.0.1:1 failed: Connection refused'])).reason).toBe('refused');
    expect(classifyRelayExit(facts(['[rtmp] Server error: Already publishing'])).reason).toBe('stream-in-use');
    expect(classifyRelayExit(facts(['[rtmp] Server error: Authentication failed'])).reason).toBe('publish-rejected');
    expect(classifyRelayExit(facts(['Failed to resolve hostname nonexistent.invalid: Name or service not known'])).reason).toBe('unreachable');
    expect(classifyRelayExit(facts(['Connection timed out'])).reason).toBe('timeout');
  });

  it('reads a close right after the publish as a refused key, and a later one as the server closing', () => {
    const eof = ['av_interleaved_write_frame(): End of file'];
    expect(classifyRelayExit(facts(eof, true, 40)).reason).toBe('publish-rejected');
    expect(classifyRelayExit(facts(eof, true, 60_000)).reason).toBe('closed-by-server');
    expect(classifyRelayExit(facts(eof, false)).reason).toBe('publish-rejected');
  });

  it('always says what happened in words', () => {
    const c = classifyRelayExit(facts(['Server error: Bad key'], true, 10));
    expect(c.message).toMatch(/refused the publish: Bad key/);
  });
});
