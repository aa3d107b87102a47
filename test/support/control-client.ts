// Test support: a control-plane client (viewer or presenter) that records every message it gets,
// with waits on predicates, so tests read like the protocol.
import WebSocket from 'ws';
import { signVoterId, voterIdKey } from '../../app/control/voter-ids.js';
import { PROTOCOL_VERSION, type NodeQuestion, type NodeToClient } from '../../common/control-protocol.js';

export interface ControlClient {
  ws: WebSocket;
  messages: NodeToClient[];
  send(m: unknown): void;
  sendRaw(data: string | Buffer): void;
  /** Resolves with the first message (already received or future) matching pred. */
  next<T extends NodeToClient['type']>(type: T, pred?: (m: Extract<NodeToClient, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<NodeToClient, { type: T }>>;
  closed: Promise<number>;
  close(): void;
}

export async function openControl(base: string, o: { role?: 'viewer' | 'presenter'; token?: string; origin?: string; hello?: boolean; autoPong?: boolean } = {}): Promise<ControlClient> {
  const url = base.replace(/^http/, 'ws') + '/control';
  const ws = new WebSocket(url, { ...(o.origin ? { origin: o.origin } : {}), autoPong: o.autoPong ?? true });
  const messages: NodeToClient[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (d) => {
    messages.push(JSON.parse(String(d)) as NodeToClient);
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const c: ControlClient = {
    ws,
    messages,
    send: (m) => ws.send(JSON.stringify(m)),
    sendRaw: (d) => ws.send(d),
    next: (type, pred = () => true, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < messages.length; seen++) {
            const m = messages[seen]!;
            if (m.type === type && pred(m as never)) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(m as never);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${type} within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-5))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    closed,
    close: () => ws.close(),
  };
  if (o.hello !== false) {
    c.send({ type: 'hello', v: PROTOCOL_VERSION, role: o.role ?? 'viewer', ...(o.token ? { token: o.token } : {}) });
    if ((o.role ?? 'viewer') === 'viewer' || o.token) await c.next('welcome').catch(() => undefined);
  }
  return c;
}

export const qid = (n: number | string) => `q-${String(n).padStart(8, '0')}`;

/** A voter id a node with this secret accepts, named by the test (nodes issue `v-<random>` ones in the welcome). */
export const voterFor = (secret: string, name: string) => signVoterId(voterIdKey(secret), name);

/** A node's whole `qa.list` through a presenter client, its pages assembled. */
export async function fullQaList(p: ControlClient, id: string): Promise<{ questions: NodeQuestion[]; votes: Record<string, number>; voters: Record<string, string[]> }> {
  p.send({ type: 'qa.list', id });
  const questions: NodeQuestion[] = [];
  const votes: Record<string, number> = {};
  const voters: Record<string, string[]> = {};
  for (let part = 0; part < 1000; part++) {
    const page = await p.next('qa.list', (m) => m.id === id && (m.part ?? 0) === part);
    questions.push(...page.questions);
    Object.assign(votes, page.votes);
    for (const [q, vs] of Object.entries(page.voters ?? {})) (voters[q] ??= []).push(...vs);
    if (page.part === undefined || page.last) return { questions, votes, voters };
  }
  throw new Error('qa.list without a last page');
}
