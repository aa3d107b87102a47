// Fakes for engine-host tests: a LiveConnection that records what the host asked of it, and a
// HostClient that records the events it received. No processes, no sockets.
import { Emitter } from '../../common/event.js';
import type { EventChannel, EventPayload } from '../../common/ipc-contract.js';
import { SETUP_FAILED, SETUP_SUCCESS, type ServerConfig, type ServerSnapshot, type SetupResult, type SetupStatus } from '../../common/streaming.js';
import type { EncoderStatus } from '../../main/engine/encoder/encoder.js';
import type { SourceSpec } from '../../main/engine/encoder/source.js';
import type { HostClient, LiveConnection } from '../../main/engine/studio/engine-host.js';
import { NoServerReadyError } from '../../main/engine/multi-connection.js';

export class FakeConnection implements LiveConnection {
  readonly sources: SourceSpec[] = [];
  readonly chunks: Buffer[] = [];
  servers: ServerConfig[] = [];
  stopped = 0;
  private readonly _onServerStatus = new Emitter<ServerSnapshot>();
  readonly onServerStatus = this._onServerStatus.event;
  private readonly _onEncoderStatus = new Emitter<EncoderStatus>();
  readonly onEncoderStatus = this._onEncoderStatus.event;
  private setup: SetupStatus | null = null;

  constructor(
    private readonly results: Record<string, SetupResult> = {},
    /** How long setup takes (the real one takes up to 3 s). */
    private readonly setupMs = 0,
  ) {}

  async connect(servers: ServerConfig[]): Promise<SetupStatus> {
    if (this.setupMs > 0) await new Promise((r) => setTimeout(r, this.setupMs));
    this.servers = servers;
    const list = servers.map((s) => ({ id: s.id, label: s.label ?? s.id, result: this.results[s.id] ?? 'ready', message: this.results[s.id] ?? 'ready', elapsedMs: 5 }));
    this.setup = { code: list.every((r) => r.result === 'ready') ? SETUP_SUCCESS : SETUP_FAILED, servers: list };
    return this.setup;
  }

  async publish(source: SourceSpec, opts: { requireAll?: boolean } = {}): Promise<void> {
    const setup = this.setup!;
    const ready = setup.servers.filter((s) => s.result === 'ready').length;
    if (ready === 0 || (opts.requireAll && ready < setup.servers.length)) throw new NoServerReadyError(setup, !!opts.requireAll);
    this.sources.push(source);
  }

  async switchSource(source: SourceSpec): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    this.sources.push(source);
  }

  pushChunk(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  snapshots(): ServerSnapshot[] {
    return this.servers.map((s) => ({
      id: s.id,
      label: s.label ?? s.id,
      state: 'live',
      reason: null,
      message: 'Live',
      since: 0,
      nextAttemptAt: null,
      metrics: { bytesSent: 1, bitrateBps: 1000, uptimeMs: 1, reconnects: 0, droppedGops: 0, lastError: null },
    }));
  }

  async stop(): Promise<void> {
    this.stopped++;
  }
}

export class RecordingClient implements HostClient {
  readonly events: Array<{ event: EventChannel; payload: unknown }> = [];
  constructor(readonly id: string) {}
  send<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    this.events.push({ event, payload });
  }
  last<E extends EventChannel>(event: E): EventPayload<E> | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.event === event) return this.events[i]!.payload as EventPayload<E>;
    return undefined;
  }
}
