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
  webcastStateSchema,
  type Cue,
  type Json,
  type NodeStats,
  type NodeToClient,
  type PresenterToNode,
  type WebcastState,
  type WebcastView,
} from '../../../common/control-protocol.js';
import { MAX_OBJECT_BYTES } from '../../../common/limits.js';
import { applyWrite, valuesOf, type SharedObject } from '../../../common/shared-object.js';
import type { ControlStatus, ServerConfig } from '../../../common/streaming.js';
import type { Logger } from '../base/logger.js';
import { ControlSession, type CallResult } from './control-session.js';
import { QaCoordinator, type QaList } from './qa/qa-coordinator.js';
import type { ModerationAction } from './qa/qa-draft.js';
import { exportCsv, exportJson } from './qa/qa-export.js';
import type { MergedQuestion, QaState } from './qa/qa-state.js';
import { WebcastAcks, type WebcastResult } from './webcast-acks.js';
import { type ObjectState, SharedObjectTooLargeError, packStates } from './so-packing.js';

export type { CallResult, WebcastResult };

export interface NodeWebcastEvent {
  server: string;
  webcast: WebcastView;
}

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

export { SharedObjectTooLargeError } from './so-packing.js';

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
  /** The webcast's phase as the presenter last set it: sent to every node, and again on each (re)connect. */
  private webcastState: WebcastState | null = null;
  /** The Q&A of the webcast before the current one (taken at a fresh begin), for its export. */
  private previousQa: QaState | null = null;
  private readonly acks = new WebcastAcks();

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
  private readonly _onNodeWebcast = new Emitter<NodeWebcastEvent>();
  /** A node's webcast phase: its ack, or its own change (its publisher gone past the grace: ended). */
  readonly onNodeWebcast = this._onNodeWebcast.event;

  constructor(private readonly o: ControlPlaneOptions) {
    this.qa = new QaCoordinator({ setSo: (name, slots, isPublic) => this.setSo(name, slots, isPublic), writeObjects: (objects, isPublic) => this.writeObjects(objects, isPublic) });
    this.onQuestions = this.qa.onQuestions;
  }

  /** Opens a session for every server with a control URL and token; replaces earlier ones. */
  setServers(servers: ServerConfig[]): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.serverIds = [];
    for (const s of servers) this.addServer(s, false);
    if (this.o.statsEveryMs !== 0 && !this.statsTimer) this.statsTimer = setInterval(() => void this.pollStats(), this.o.statsEveryMs ?? 2000);
  }

  /**
   * One more server (while live too: its session starts at once, and its first resync brings it the
   * shared objects, the webcast and the Q&A like any reconnect). Plain RTMP servers get no session.
   */
  addServer(s: ServerConfig, start = true): void {
    this.serverIds = [...this.serverIds.filter((id) => id !== s.id), s.id];
    this.sessions.get(s.id)?.dispose();
    this.sessions.delete(s.id);
    if (!s.controlUrl || !s.controlToken) return;
    const session = new ControlSession({
      id: s.id,
      url: controlSocketUrl(s.controlUrl),
      token: s.controlToken,
      logger: this.o.logger,
      resync: () => this.resyncMessages(),
      ...(this.o.heartbeatMs ? { heartbeatMs: this.o.heartbeatMs } : {}),
    });
    session.onStatus((status) => {
      if (status.state !== 'connected') this.acks.lost(s.id);
      this._onStatus.fire({ server: s.id, status });
    });
    session.onMessage((m) => this.handle(s.id, m));
    this.sessions.set(s.id, session);
    if (start) session.start();
  }

  /** A server left: its session closes; the Q&A it contributed stays merged. */
  removeServer(id: string): void {
    this.serverIds = this.serverIds.filter((x) => x !== id);
    this.sessions.get(id)?.dispose();
    this.sessions.delete(id);
    this.acks.lost(id);
  }

  private handle(server: string, m: NodeToClient): void {
    switch (m.type) {
      case 'so.sync':
        this.adopt(m);
        return this._onSync.fire({ server, name: m.name, changed: m.changed, values: Object.fromEntries(m.changed.map((k) => [k, m.slots[k]?.value ?? null])) });
      case 'qa.asked':
        return this.qa.asked(server, m.question);
      case 'qa.votes':
        return this.qa.votes(server, m.questionId, m.votes, m.voterId);
      case 'qa.list':
        // The session hands over a paged list whole: counts and the voter ids behind them agree.
        return this.qa.mergeList(server, m);
      case 'webcast.ack':
        this.acks.ack(server, m.id, m.webcast);
        return this._onNodeWebcast.fire({ server, webcast: m.webcast });
      case 'webcast':
        return this._onNodeWebcast.fire({ server, webcast: m.webcast });
      default:
    }
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
    // The webcast's phase before the list: a node that missed a fresh begin archives its Q&A first,
    // so the list it answers with is the new session's.
    const webcast: PresenterToNode[] = this.webcastState ? [{ type: 'webcast', id: 'resync', state: this.webcastState }] : [];
    return [...states, ...webcast, { type: 'qa.list', id: 'resync' }];
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

  // ---- webcast lifecycle -----------------------------------------------------------------

  /** The webcast's phase as last set here (null until one of the methods below was called). */
  get webcast(): WebcastState | null {
    return this.webcastState;
  }

  /**
   * Tells every node's viewers the webcast starts in `seconds` (1–MAX_COUNTDOWN_SECONDS; anything
   * else rejects with a RangeError in words). Resolves with one result per node with a control session,
   * once each confirmed, timed out (`timeoutMs`, default 3 s) or was found not connected (it gets
   * the phase when it reconnects).
   */
  countdown(seconds: number, o: { timeoutMs?: number } = {}): Promise<WebcastResult[]> {
    return this.setWebcast({ phase: 'countdown', seconds }, o.timeoutMs);
  }

  /**
   * A webcast begins on every node: viewers' pages play again and take questions. Unless
   * `continueQa`, the Q&A starts empty: each node archives its questions (a dated file in its
   * state folder), and this engine's merged Q&A is kept for `previousQaExport` and then cleared
   * (the empty public view reaches every viewer). Resolves like `countdown`.
   */
  async beginWebcast(o: { continueQa?: boolean; timeoutMs?: number } = {}): Promise<WebcastResult[]> {
    const continueQa = o.continueQa ?? false;
    const session = `wc-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const results = await this.setWebcast({ phase: 'live', session, continueQa }, o.timeoutMs);
    // After the nodes confirmed: a question a node forwarded before it archived belongs to the old
    // session here too (and leaves with it), not to the new one.
    if (!continueQa) {
      this.previousQa = this.qa.state;
      this.qa.reset();
    }
    return results;
  }

  /**
   * The webcast ended (Stop): every node's viewers are told, their pages stop playing and
   * reconnecting, and Ask is disabled until the next begin. Resolves like `countdown`.
   */
  endWebcast(o: { timeoutMs?: number } = {}): Promise<WebcastResult[]> {
    const session = this.webcastState?.phase === 'live' ? this.webcastState.session : undefined;
    return this.setWebcast({ phase: 'ended', ...(session ? { session } : {}) }, o.timeoutMs);
  }

  /** The previous webcast's Q&A (the one a fresh begin cleared), exported; null before any. */
  previousQaExport(format: 'csv' | 'json'): string | null {
    if (!this.previousQa) return null;
    return format === 'csv' ? exportCsv(this.previousQa) : exportJson(this.previousQa);
  }

  private setWebcast(input: WebcastState, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<WebcastResult[]> {
    const parsed = webcastStateSchema.safeParse(input);
    if (!parsed.success) return Promise.reject(new RangeError(parsed.error.issues[0]?.message ?? 'Invalid webcast state'));
    const state = parsed.data;
    this.webcastState = state;
    return Promise.all([...this.sessions].map(([id, s]) => this.acks.send(id, s, state, timeoutMs)));
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
    this.acks.dispose();
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    for (const e of [this._onSync, this._onNodeStats, this._onStatus, this._onCallResult, this._onNodeWebcast]) e.dispose();
  }
}
