// The webcast's phase on a node (idle → countdown → live → ended), so a viewer page can say the
// truth: a presenter sets it (its `webcast` message, acknowledged), and the node ends it by itself
// when its publisher stays away past the grace period (the same grace after which the media core
// lets viewers go). Every client gets the phase on hello and on each change. With a state folder
// the phase survives a node restart (webcast.json, written atomically), so an ended webcast still
// reads ended after one. A new session without `continueQa` archives the node's Q&A first.
import { closeSync, fsyncSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { webcastEndReasons, webcastIdSchema, type WebcastState, type WebcastView } from '../../../common/control-protocol.js';
import type { IDisposable } from '../../../common/lifecycle.js';
import type { Logger } from '../../logger.js';
import type { ControlHub, ControlPeer } from '../connection.js';
import { ensurePrivateDir, openPrivateFile } from '../private-dir.js';

const storedSchema = z.object({
  phase: z.enum(['idle', 'countdown', 'live', 'ended']),
  session: webcastIdSchema.optional(),
  /** Countdown: when it reaches zero, on this node's clock (ms since the epoch). */
  endsAt: z.number().optional(),
  reason: z.enum(webcastEndReasons).optional(),
});
type Stored = z.infer<typeof storedSchema>;

interface PublishEvents {
  onPublishStart(fn: (e: { stream: string }) => void): IDisposable;
  onPublishStop(fn: (e: { stream: string }) => void): IDisposable;
}

export interface WebcastFeatureOptions {
  /** webcast.json in the node's state folder; null keeps the phase in memory only. */
  file: string | null;
  /** The stream the viewer page plays: only its publisher counts. */
  stream: string;
  graceMs: number;
  /** False on a node without a presenter token: no question asked there can reach anyone. */
  questionsOpen: boolean;
  media: PublishEvents;
  hub: ControlHub;
  /** The node's Q&A: archived when a new session starts without `continueQa`. */
  qa: { archive(label: string): string | null };
  log: Logger;
}

export class WebcastFeature implements IDisposable {
  private state: Stored = { phase: 'idle' };
  private graceTimer: NodeJS.Timeout | null = null;
  private readonly subs: IDisposable[];

  constructor(private readonly o: WebcastFeatureOptions) {
    this.load();
    this.subs = [
      o.media.onPublishStart((e) => e.stream === o.stream && this.publishStarted()),
      o.media.onPublishStop((e) => e.stream === o.stream && this.publishStopped()),
    ];
    // Live before a restart, and nobody publishes into a fresh node yet: gone unless one comes back.
    if (this.state.phase === 'live') this.publishStopped();
  }

  view(): WebcastView {
    const s = this.state;
    return {
      phase: s.phase,
      ...(s.session ? { session: s.session } : {}),
      ...(s.phase === 'countdown' ? { remainingMs: Math.max(0, Math.round((s.endsAt ?? 0) - Date.now())) } : {}),
      ...(s.phase === 'ended' && s.reason ? { reason: s.reason } : {}),
      questions: this.o.questionsOpen ? 'open' : 'closed',
    };
  }

  get ended(): boolean {
    return this.state.phase === 'ended';
  }

  /** After a hello: the phase as it is now. */
  helloTo(peer: ControlPeer): void {
    peer.send({ type: 'webcast', webcast: this.view() });
  }

  /** A presenter's `webcast`: applied (idempotent for the same session), then acknowledged. */
  set(peer: ControlPeer, id: string, next: WebcastState): void {
    switch (next.phase) {
      case 'countdown':
        this.change({ phase: 'countdown', ...(this.state.session ? { session: this.state.session } : {}), endsAt: Date.now() + next.seconds * 1000 });
        break;
      case 'live':
        if (this.state.session !== next.session && !next.continueQa) this.o.qa.archive(this.state.session ?? 'before-first-session');
        this.change({ phase: 'live', session: next.session });
        // Live with nobody publishing here yet (this relay still joining): the grace applies as usual.
        break;
      case 'ended':
        this.change({ phase: 'ended', reason: 'stopped', ...((next.session ?? this.state.session) ? { session: next.session ?? this.state.session } : {}) });
        break;
    }
    peer.send({ type: 'webcast.ack', id, webcast: this.view() });
  }

  private publishStarted(): void {
    this.clearGrace();
    // A publisher is back after the node said ended: the stream plays again, so the page must too.
    if (this.state.phase === 'ended') this.change({ phase: 'live', ...(this.state.session ? { session: this.state.session } : {}) });
  }

  private publishStopped(): void {
    this.clearGrace();
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      // Only a webcast that was on (or a plain publisher's stream, idle here) ends by itself; a
      // countdown waits for its presenter.
      if (this.state.phase !== 'live' && this.state.phase !== 'idle') return;
      this.o.log.info({ graceMs: this.o.graceMs }, 'publisher gone past the grace period: webcast ended');
      this.change({ phase: 'ended', reason: 'publisher-gone', ...(this.state.session ? { session: this.state.session } : {}) });
    }, this.o.graceMs);
  }

  private clearGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private change(next: Stored): void {
    this.state = next;
    this.persist();
    const m = { type: 'webcast', webcast: this.view() } as const;
    this.o.hub.toViewers(m);
    this.o.hub.toPresenters(m);
  }

  private load(): void {
    if (!this.o.file) return;
    ensurePrivateDir(path.dirname(this.o.file));
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.o.file, 'utf8'));
    } catch {
      return; // none yet (or torn): idle
    }
    const parsed = storedSchema.safeParse(raw);
    if (parsed.success) this.state = parsed.data;
    else this.o.log.warn({ file: this.o.file }, 'webcast state unreadable; starting idle');
  }

  /** Temp file, fsync, rename: a crash leaves the old phase or the new one, never half of one. */
  private persist(): void {
    if (!this.o.file) return;
    const tmp = `${this.o.file}.${process.pid}.tmp`;
    try {
      const fd = openPrivateFile(tmp, 'truncate');
      try {
        writeSync(fd, JSON.stringify(this.state));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.o.file);
    } catch (err) {
      this.o.log.error({ err: String(err) }, 'could not persist the webcast state');
    }
  }

  dispose(): void {
    this.clearGrace();
    for (const s of this.subs) s.dispose();
  }
}
