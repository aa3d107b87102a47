// The webcast's phase sent to every node, each send answered by the node's `webcast.ack`: one
// result per node, within a bounded time. A node that is down is not waited for (the control plane
// keeps the phase and sends it again in the resync when the node comes back).
import type { PresenterToNode, WebcastState, WebcastView } from '../../../common/control-protocol.js';

export type WebcastResult =
  | { server: string; ok: true; webcast: WebcastView; elapsedMs: number }
  | { server: string; ok: false; code: 'timeout' | 'not-connected'; message: string; elapsedMs: number };

/** What this needs of a control session. */
export interface WebcastTarget {
  readonly connected: boolean;
  send(m: PresenterToNode): boolean;
}

interface Pending {
  server: string;
  started: number;
  timer: NodeJS.Timeout;
  resolve: (r: WebcastResult) => void;
}

export class WebcastAcks {
  private seq = 0;
  private readonly pending = new Map<string, Pending>();

  /** Sends `state` to one node and resolves with its ack, a timeout, or not-connected. Never rejects. */
  send(server: string, target: WebcastTarget, state: WebcastState, timeoutMs: number): Promise<WebcastResult> {
    const started = Date.now();
    const id = `w${++this.seq}`;
    const away: WebcastResult = { server, ok: false, code: 'not-connected', message: `${server} is not connected; it gets the webcast's state when it reconnects`, elapsedMs: 0 };
    if (!target.connected) return Promise.resolve(away);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ server, ok: false, code: 'timeout', message: `${server} did not confirm the webcast's state within ${timeoutMs} ms`, elapsedMs: Date.now() - started });
      }, timeoutMs);
      this.pending.set(id, { server, started, timer, resolve });
      if (!target.send({ type: 'webcast', id, state })) this.settle(id, away);
    });
  }

  /** A node's `webcast.ack` (an id not waited for, such as a resync's, is ignored). */
  ack(server: string, id: string, webcast: WebcastView): void {
    const p = this.pending.get(id);
    if (!p || p.server !== server) return;
    this.settle(id, { server, ok: true, webcast, elapsedMs: Date.now() - p.started });
  }

  /** A node's session went down: what it had not confirmed is not-connected now, not a timeout later. */
  lost(server: string): void {
    for (const [id, p] of this.pending) {
      if (p.server === server) this.settle(id, { server, ok: false, code: 'not-connected', message: `${server} disconnected before confirming; it gets the webcast's state when it reconnects`, elapsedMs: Date.now() - p.started });
    }
  }

  private settle(id: string, r: WebcastResult): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(r);
  }

  dispose(): void {
    for (const id of [...this.pending.keys()]) {
      const p = this.pending.get(id)!;
      this.settle(id, { server: p.server, ok: false, code: 'not-connected', message: 'control plane closed', elapsedMs: Date.now() - p.started });
    }
  }
}
