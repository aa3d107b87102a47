// Limits per client address, on top of each connection's own: many sockets (or many tabs behind
// one NAT) share one address's connections, questions and votes. Defaults (app/config.ts) leave
// room for a webinar's office behind one NAT while one script cannot fill the node's Q&A.
import { TokenBucket } from './rate-limit.js';

export interface AddressLimitOptions {
  maxConnectionsPerAddress: number;
  questionsPerAddressPerMin: number;
  votesPerAddressPerMin: number;
  /** Upload probes (POST /probe/upload) an address may start per minute; one at a time. Default 6. */
  probesPerAddressPerMin?: number;
}

/** Why an upload probe may not start now: one already runs from the address, or its quota is spent. */
export type ProbeRefusal = 'busy' | 'rate';

interface Entry {
  connections: number;
  ask: TokenBucket;
  vote: TokenBucket;
  probe: TokenBucket;
  probing: boolean;
  lastUsed: number;
}

/** Entries of addresses with no connection are forgotten after this long (their buckets have refilled). */
const IDLE_MS = 60_000;
/** Bounded memory whatever the number of addresses: past this, idle entries are pruned first. */
const PRUNE_AT = 10_000;
/** A presenter tests before each webcast, a retest or two: six a minute leaves room and bounds a script. */
const DEFAULT_PROBES_PER_MIN = 6;

export class AddressLimits {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly o: AddressLimitOptions, private readonly now: () => number = Date.now) {}

  /** A new connection from `address`: false when the address already has its quota. */
  connect(address: string): boolean {
    const e = this.entry(address);
    if (e.connections >= this.o.maxConnectionsPerAddress) return false;
    e.connections++;
    return true;
  }

  disconnect(address: string): void {
    const e = this.entries.get(address);
    if (e && e.connections > 0) e.connections--;
  }

  ask(address: string): boolean {
    return this.entry(address).ask.take();
  }

  vote(address: string): boolean {
    return this.entry(address).vote.take();
  }

  /** An upload probe from `address` starts: null, or why not (the caller answers and ends it with endProbe). */
  startProbe(address: string): ProbeRefusal | null {
    const e = this.entry(address);
    if (e.probing) return 'busy';
    if (!e.probe.take()) return 'rate';
    e.probing = true;
    return null;
  }

  endProbe(address: string): void {
    const e = this.entries.get(address);
    if (e) e.probing = false;
  }

  private entry(address: string): Entry {
    let e = this.entries.get(address);
    if (!e) {
      if (this.entries.size >= PRUNE_AT) this.prune();
      const q = this.o.questionsPerAddressPerMin;
      const v = this.o.votesPerAddressPerMin;
      const p = this.o.probesPerAddressPerMin ?? DEFAULT_PROBES_PER_MIN;
      e = {
        connections: 0,
        ask: new TokenBucket(q, q / 60, this.now),
        vote: new TokenBucket(v, v / 60, this.now),
        probe: new TokenBucket(p, p / 60, this.now),
        probing: false,
        lastUsed: this.now(),
      };
      this.entries.set(address, e);
    }
    e.lastUsed = this.now();
    return e;
  }

  private prune(): void {
    const t = this.now();
    for (const [a, e] of this.entries) if (e.connections === 0 && !e.probing && t - e.lastUsed > IDLE_MS) this.entries.delete(a);
  }
}
