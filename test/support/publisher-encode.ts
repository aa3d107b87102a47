// One encoder feeding relays built by the test, without MultiConnection's setup probe (ffmpeg's
// listener takes one connection, and a probe would use it up).
import { silentLogger } from '../../main/engine/base/logger.js';
import { Encoder } from '../../main/engine/encoder/encoder.js';
import { sourceSpecSchema } from '../../main/engine/encoder/source.js';
import { findFfmpeg } from '../../main/engine/ffmpeg/find-ffmpeg.js';
import { JoinCache } from '../../main/engine/flv/join-cache.js';
import { Relay, type RelayOptions } from '../../main/engine/relay/relay.js';

export interface EncodedRelays {
  relays: Relay[];
  stop(): Promise<void>;
}

export function encodeTo(spec: unknown, relays: (cache: JoinCache) => Relay[]): EncodedRelays {
  const cache = new JoinCache();
  const list = relays(cache);
  const enc = new Encoder(sourceSpecSchema.parse(spec), findFfmpeg(), silentLogger);
  enc.onHeader((h) => {
    cache.newStream(h);
    for (const r of list) r.onNewStream(h, false);
  });
  enc.onTag((t) => {
    cache.push(t);
    for (const r of list) r.write(t);
  });
  enc.start();
  for (const r of list) r.start();
  return { relays: list, stop: async () => void (await Promise.all([enc.stop(), ...list.map((r) => r.stop())])) };
}

export function relay(cache: JoinCache, url: string, extra: Partial<RelayOptions> = {}): Relay {
  return new Relay({ id: 'r', url, label: 'test', logger: silentLogger, ...extra }, cache);
}

/** Whether something listens on `port`, from the kernel's table (a connect would use up ffmpeg's one accept). */
export function listening(port: number, table: string): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return table.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(hex) === true && f[3] === '0A';
  });
}
