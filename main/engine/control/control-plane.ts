// The engine's side of the control plane across every server: one ControlSession per Tandem node
// (servers with a controlUrl and token), the authoritative shared-object state written to all of
// them, remote calls with a result per node, cues and stats polling. The merged, moderated Q&A is
// its own job (qa/qa-coordinator.ts), fed from the sessions here and written through them.
// Plain RTMP servers (nginx-rtmp, YouTube) simply have no session, and their status says so.
import { Emitter } from '../../../common/event.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import {
  DEFAULT_CALL_TIMEOUT_MS,
  controlSocketUrl,
  nodeStatsSchema,
  type Cue,
  type Json,
  type NodeStats,
  type NodeToClient,
  type PresenterToNode,
} from '../../../common/control-protocol.js';
import { MAX_OBJECT_BYTES } from '../../../common/limits.js';
import { applyWrite, valuesOf, type SharedObject } from '../../../common/shared-object.js';
import type { ControlStatus, ServerConfig } from '../../../common/streaming.js';
import type { Logger } from '../base/logger.js';
import { ControlSession, type CallResult } from './control-session.js';
import { QaCoordinator, type QaList } from './qa/qa-coordinator.js';
import type { ModerationAction } from './qa/qa-draft.js';
import type { MergedQuestion, QaState } from './qa/qa-state.js';

export type { CallResult };

export interface SyncEvent {
  server: string;
  name: string;
  changed: string[];
  values: Record<string, Json>;
}

export interface NodeStatsEvent {
  server: string;
  stats: NodeStats;
}

export interface CallResultEvent {
  server: string;
  method: string;
  result: CallResult;
}

export interface ControlPlaneOptions {
  logger: Logger;
  /** Every how often getStats is polled on each node; 0 turns polling off. */
  statsEveryMs?: number;
  heartbeatMs?: number;
}

export class SharedObjectTooLargeError extends Error {
  readonly code = 'too-large';
  constructor(name: string, bytes: number) {
    super(`Shared object "${name}" would be ${bytes} bytes; one object must stay under ${MAX_OBJECT_BYTES} bytes`);
    this.name = 'SharedObjectTooLargeError';
  }
}

type ObjectState = { public: boolean; slots: Record<string, Json> };

/**
 * Packs object writes into as few `so.state` messages as fit the node's payload limit (each object
 * alone fits: every write was checked). A node limits the messages per second of a connection, so
 * a resync or a burst of moderation buckets must not be one message per object.
 */
function packStates(entries: [string, ObjectState][]): PresenterToNode[] {
  const out: PresenterToNode[] = [];
  const budget = MAX_OBJECT_BYTES;
  let objects: Record<string, ObjectState> = {};
  let bytes = 64;
  for (const [name, o] of entries) {
    const n = Buffer.byteLength(JSON.stringify({ [name]: o }));
    if (bytes + n > budget && Object.keys(objects).length > 0) {
      out.push({ type: 'so.state', objects });
      objects = {};
      bytes = 64;
    }
    objects[name] = o;
    bytes += n;
  }
  if (Object.keys(objects).length > 0) out.push({ type: 'so.state', objects });
  return out;
}

export const NO_CONTROL: ControlStatus = { state: 'none', message: 'no control session (plain RTMP server)' };

export class ControlPlane implements IDisposable {
  private readonly sessions = new Map<string, ControlSession>();
  private readonly objects = new Map<string, SharedObject>();
  private serverIds: string[] = [];
  private readonly qa: QaCoordinator;
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly latestStats = new Map<string, NodeStats>();
  private cueSeq = 0;
  private disposed = false;

  private readonly _onSync = new Emitter<SyncEvent>();
  /** A node reported a shared-object change (the seed's `<name>_sync`). */
  readonly onSync = this._onSync.event;
  /** The merged question list changed (new question, votes, moderation). */
  readonly onQuestions: QaCoordinator['onQuestions'];
  private readonly _onNodeStats = new Emitter<NodeStatsEvent>();
  readonly onNodeStats = this._onNodeStats.event;
  private readonly _onStatus = new Emitter<{ server: string; status: ControlStatus }>();
  readonly onStatus = this._onStatus.event;
  private readonly _onCallResult = new Emitter<CallResultEvent>();
  /** One per node and callRemote: its value, error, timeout or not-connected, as it comes in. */
  readonly onCallResult = this._onCallResult.event;

  constructor(private readonly o: ControlPlaneOptions) {
    this.qa = new QaCoordinator({ setSo: (name, slots, isPublic) => this.setSo(name, slots, isPublic), writeObjects: (objects, isPublic) => this.writeObjects(objects, isPublic) });
    this.onQuestions = this.qa.onQuestions;
  }

  /** Opens a session for every server with a control URL and token; replaces earlier ones. */
  setServers(servers: ServerConfig[]): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.serverIds = servers.map((s) => s.id);
    for (const s of servers) {
      if (!s.controlUrl || !s.controlToken) continue;
      const session = new ControlSession({
        id: s.id,
        url: controlSocketUrl(s.controlUrl),
        token: s.controlToken,
        logger: this.o.logger,
        resync: () => this.resyncMessages(),
        ...(this.o.heartbeatMs ? { heartbeatMs: this.o.heartbeatMs } : {}),
      });
      session.onStatus((status) => this._onStatus.fire({ server: s.id, status }));
      session.onMessage((m) => {
        switch (m.type) {
          case 'so.sync':
            this.adopt(m);
            return this._onSync.fire({ server: s.id, name: m.name, changed: m.changed, values: Object.fromEntries(m.changed.map((k) => [k, m.slots[k]?.value ?? null])) });
          case 'qa.asked':
            return this.qa.asked(s.id, m.question);
          case 'qa.votes':
            return this.qa.votes(s.id, m.questionId, m.votes, m.voterId);
          case 'qa.list':
            // The session hands over a paged list whole: counts and the voter ids behind them agree.
            return this.qa.mergeList(s.id, m);
          default:
            return;
        }
      });
      this.sessions.set(s.id, session);
    }
    if (this.o.statsEveryMs !== 0 && !this.statsTimer) this.statsTimer = setInterval(() => void this.pollStats(), this.o.statsEveryMs ?? 2000);
  }

  /** Starts every session; resolves within timeoutMs with each server's control status. */
  async connect(timeoutMs: number): Promise<Map<string, ControlStatus>> {
    for (const s of this.sessions.values()) s.start();
    await Promise.all([...this.sessions.values()].map((s) => s.waitConnected(timeoutMs)));
    return new Map(this.serverIds.map((id) => [id, this.statusOf(id)]));
  }

  statusOf(id: string): ControlStatus {
    return this.sessions.get(id)?.status ?? NO_CONTROL;
  }

  stats(id: string): NodeStats | undefined {
    return this.latestStats.get(id);
  }

  /**
   * An object a node holds that this engine never wrote (the engine restarted): take it over, so
   * getSo answers and the next resync does not lose it. The moderation objects restore the Q&A.
   */
  private adopt(m: Extract<NodeToClient, { type: 'so.sync' }>): void {
    if (this.objects.has(m.name) || m.public === undefined) return;
    const values = Object.fromEntries(Object.entries(m.slots).map(([k, v]) => [k, v.value]));
    this.objects.set(m.name, applyWrite(undefined, values, m.public).object);
    this.qa.adopt(m.name, values);
  }

  /** Merges a node's whole question list (as after a (re)connect); see QaCoordinator.mergeList. */
  mergeList(server: string, list: QaList): void {
    this.qa.mergeList(server, list);
  }

  private resyncMessages(): PresenterToNode[] {
    const states = packStates([...this.objects.entries()].map(([name, o]) => [name, { public: o.public, slots: valuesOf(o) }]));
    return [...states, { type: 'qa.list', id: 'resync' }];
  }

  // ---- shared objects --------------------------------------------------------------------

  /** Writes slots on every node (seed: setSoValue); returns the slots that changed. */
  setSo(name: string, slots: Record<string, Json>, isPublic = true): string[] {
    const changed = this.writeLocal(name, slots, isPublic);
    if (changed.length > 0) {
      const msg: PresenterToNode = { type: 'so.set', name, public: isPublic, slots: Object.fromEntries(changed.map((k) => [k, slots[k] ?? null])) };
      for (const s of this.sessions.values()) s.send(msg);
    }
    return changed;
  }

  /**
   * Writes several objects on every node in as few `so.state` messages as fit; returns the names
   * written. One that would be too large is left out and logged (not expected: the Q&A's
   * moderation buckets, the caller, are cut to fit).
   */
  writeObjects(objects: [string, Record<string, Json>][], isPublic: boolean): string[] {
    const written: string[] = [];
    const writes: [string, ObjectState][] = [];
    for (const [name, slots] of objects) {
      try {
        const changed = this.writeLocal(name, slots, isPublic);
        written.push(name);
        if (changed.length > 0) writes.push([name, { public: isPublic, slots: Object.fromEntries(changed.map((k) => [k, slots[k] ?? null])) }]);
      } catch (err) {
        this.o.logger.warn({ err: String(err), name }, 'shared object not written on the nodes');
      }
    }
    for (const msg of packStates(writes)) for (const s of this.sessions.values()) s.send(msg);
    return written;
  }

  /** Writes to the engine's own state; returns the slots that changed. Throws for a write too large. */
  private writeLocal(name: string, slots: Record<string, Json>, isPublic: boolean): string[] {
    // A write the nodes would refuse (and close the session for) is refused here, before it counts.
    const r = applyWrite(this.objects.get(name), slots, isPublic);
    const size = new TextEncoder().encode(JSON.stringify({ type: 'so.state', objects: { [name]: { public: isPublic, slots: valuesOf(r.object) } } })).length;
    if (size > MAX_OBJECT_BYTES) throw new SharedObjectTooLargeError(name, size);
    this.objects.set(name, r.object);
    return r.changed;
  }

  getSo(name: string, slot: string): Json | undefined {
    return this.objects.get(name)?.slots[slot]?.value ?? undefined;
  }

  // ---- remote calls ----------------------------------------------------------------------

  /** Calls a method on one server or all; one result per node (value, error or timeout). */
  callRemote(method: string, args: Json[] = [], o: { server?: string; timeoutMs?: number } = {}): Promise<CallResult[]> {
    const timeoutMs = o.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const targets = o.server ? [o.server] : this.serverIds;
    return Promise.all(
      targets.map(async (id) => {
        const s = this.sessions.get(id);
        const result: CallResult = s ? await s.call(method, args, timeoutMs) : { server: id, ok: false, code: 'not-connected', message: NO_CONTROL.message, elapsedMs: 0 };
        this._onCallResult.fire({ server: id, method, result });
        return result;
      }),
    );
  }

  private async pollStats(): Promise<void> {
    const results = await Promise.all([...this.sessions.values()].filter((s) => s.connected).map((s) => s.call('getStats', [], 1500)));
    for (const r of results) {
      if (!r.ok) continue;
      const stats = nodeStatsSchema.safeParse(r.value);
      if (!stats.success) continue;
      this.latestStats.set(r.server, stats.data);
      this._onNodeStats.fire({ server: r.server, stats: stats.data });
    }
  }

  // ---- cues ------------------------------------------------------------------------------

  /**
   * Sends a cue to every node and its viewers, stamped `streamTimeMs` (the engine's clock, returned)
   * or, per server, `stampFor(server)`: its relay's timeline, which is what that node's players
   * see. A viewer applies the cue when its playback reaches that timestamp. Every node gets the same cue id, so a
   * viewer that fails over applies it once.
   */
  sendCue(kind: string, data: Json, streamTimeMs: number, stampFor: (server: string) => number = () => streamTimeMs): Cue {
    const cue: Cue = { id: `cue-${Date.now().toString(36)}-${++this.cueSeq}`, streamTimeMs: Math.max(0, Math.round(streamTimeMs)), kind, data };
    for (const [server, s] of this.sessions) s.send({ type: 'cue', cue: { ...cue, streamTimeMs: Math.max(0, Math.round(stampFor(server))) } });
    return cue;
  }

  // ---- Q&A -------------------------------------------------------------------------------

  /** The merged questions in asking order. */
  get questions(): MergedQuestion[] {
    return this.qa.questions;
  }

  get qaState(): QaState {
    return this.qa.state;
  }

  moderate(a: ModerationAction): void {
    this.qa.moderate(a);
  }

  exportQa(format: 'csv' | 'json'): string {
    return this.qa.export(format);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.qa.dispose();
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    for (const e of [this._onSync, this._onNodeStats, this._onStatus, this._onCallResult]) e.dispose();
  }
}
