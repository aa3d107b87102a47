import { describe, expect, it } from 'vitest';
import { publishUrl } from '../../main/engine/multi-connection.js';

describe('publishUrl', () => {
  it('appends a separate stream key to the application path', () => {
    expect(publishUrl({ id: 'a', url: 'rtmp://h:1935/live', streamKey: 'abc123' })).toBe('rtmp://h:1935/live/abc123');
    expect(publishUrl({ id: 'a', url: 'rtmp://h:1935/live/', streamKey: '/abc123' })).toBe('rtmp://h:1935/live/abc123');
  });

  it('keeps the query of a key pasted with its signature, instead of escaping it into the path', () => {
    expect(publishUrl({ id: 'a', url: 'rtmp://h:1935/live', streamKey: 'main?sign=v1.9.ab%2Bc' })).toBe('rtmp://h:1935/live/main?sign=v1.9.ab%2Bc');
  });

  it('leaves a full URL alone when no key is given apart', () => {
    expect(publishUrl({ id: 'a', url: 'rtmp://h/live/main?sign=x' })).toBe('rtmp://h/live/main?sign=x');
  });
});
