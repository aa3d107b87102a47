// The fallback for what a server says it receives. Tandem nodes with a control session report their
// own view of the stream through getStats (tile-stats.ts shows that); a node with a control URL
// but no presenter token still publishes Prometheus metrics at <controlUrl>/metrics, so while live we
// poll those (bounded: one request per server at a time, 1.5 s timeout) and turn
// tandem_bytes_received_total (node-wide: every stream, viewers' bytes in) into a rate and
// tandem_viewers into a count. Servers without a control URL (nginx-rtmp, a CDN) report nothing, and
// the tile says so.
import type { IDisposable } from '../../common/lifecycle.js';

export interface ServerStatsSample {
  receivedBps: number | null;
  viewers: number | null;
}

export type FetchText = (url: string, signal: AbortSignal) => Promise<string>;

const defaultFetch: FetchText = async (url, signal) => {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
};

/** Sums every sample of a metric (all label sets) in Prometheus text format; null if absent. */
export function sumMetric(text: string, name: string): number | null {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (!Number.isFinite(value)) continue;
    found = true;
    sum += value;
  }
  return found ? sum : null;
}

export class ServerStatsPoller implements IDisposable {
  private readonly samples = new Map<string, ServerStatsSample>();
  private readonly last = new Map<string, { bytes: number; at: number }>();
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly aborts = new Set<AbortController>();

  constructor(
    private targets: ReadonlyArray<{ id: string; controlUrl?: string }>,
    private readonly opts: { intervalMs?: number; timeoutMs?: number; fetchText?: FetchText; now?: () => number } = {},
  ) {}

  start(): void {
    if (this.timer) return;
    void this.pollAll();
    this.timer = setInterval(() => void this.pollAll(), this.opts.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** Servers added or removed while live: polled from the next round on. */
  setTargets(targets: ReadonlyArray<{ id: string; controlUrl?: string }>): void {
    this.targets = targets;
    const ids = new Set(targets.map((t) => t.id));
    for (const id of [...this.samples.keys()]) if (!ids.has(id)) this.samples.delete(id);
  }

  sample(id: string): ServerStatsSample {
    return this.samples.get(id) ?? { receivedBps: null, viewers: null };
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
  }

  async pollAll(): Promise<void> {
    await Promise.all(this.targets.filter((t) => t.controlUrl).map((t) => this.poll(t.id, t.controlUrl as string)));
  }

  private async poll(id: string, controlUrl: string): Promise<void> {
    if (this.inFlight.has(id)) return;
    this.inFlight.add(id);
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), this.opts.timeoutMs ?? 1500);
    try {
      const text = await (this.opts.fetchText ?? defaultFetch)(new URL('/metrics', controlUrl).toString(), abort.signal);
      const now = (this.opts.now ?? Date.now)();
      const bytes = sumMetric(text, 'tandem_bytes_received_total');
      const viewers = sumMetric(text, 'tandem_viewers');
      const prev = this.last.get(id);
      let receivedBps: number | null = null;
      if (bytes !== null) {
        if (prev && now > prev.at && bytes >= prev.bytes) receivedBps = ((bytes - prev.bytes) * 8 * 1000) / (now - prev.at);
        this.last.set(id, { bytes, at: now });
      }
      this.samples.set(id, { receivedBps, viewers });
    } catch {
      // A node that does not answer reports nothing; its tile already shows the engine's view.
      this.samples.set(id, { receivedBps: null, viewers: null });
      this.last.delete(id);
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
      this.inFlight.delete(id);
    }
  }
}
