// Per-address limits and node-issued voter ids on a real node: 50 sockets from one address add at
// most that address's quota of questions and votes (so one address cannot fill the node's 10,000
// questions), a made-up voter id is refused, and X-Forwarded-For counts only from a trusted balancer.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUESTIONS_PER_NODE } from '../../common/limits.js';
import { fullQaList, openControl, qid, type ControlClient } from '../support/control-client.js';
import { startNode, waitFor, type NodeProcess } from '../support/node-process.js';

const token = randomBytes(24).toString('hex');
const QUESTIONS_PER_MIN = 10;
const VOTES_PER_MIN = 60;
const CONNECTIONS = 20;
let dir: string;
let node: NodeProcess;
let proxied: NodeProcess;
const open: ControlClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-sec-addr-'));
  // Defaults for the limits (none configured); the second node trusts 127.0.0.1 as its balancer.
  [node, proxied] = await Promise.all([
    startNode({ env: { TANDEM_CONTROL_TOKEN: token, TANDEM_CONTROL_DIR: path.join(dir, 'a') } }),
    startNode({ env: { TANDEM_CONTROL_TOKEN: token, TANDEM_TRUSTED_PROXY: '127.0.0.1' } }),
  ]);
});

afterAll(async () => {
  for (const c of open) c.close();
  await Promise.all([node?.stop(), proxied?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** The node's answer to the message referring to `ref`: a success of `type`, or an error. */
function answer(c: ControlClient, type: 'qa.asked' | 'qa.votes', ref: string): Promise<'ok' | string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer about ${ref}`)), 10_000);
    const check = () => {
      for (const m of c.messages) {
        const ok = type === 'qa.asked' ? m.type === 'qa.asked' && m.question.id === ref : m.type === 'qa.votes' && m.questionId === ref;
        const err = m.type === 'error' && m.ref === ref;
        if (ok || err) {
          clearTimeout(timer);
          c.ws.off('message', check);
          return resolve(ok ? 'ok' : (m as { code: string }).code);
        }
      }
    };
    c.ws.on('message', check);
    check();
  });
}

/** Opens a raw control socket with extra headers: the HTTP status when refused, the client when open. */
async function openWith(base: string, headers: Record<string, string>): Promise<WebSocket | number> {
  const ws = new WebSocket(base.replace(/^http/, 'ws') + '/control', { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('per-address limits on a node', () => {
  it('50 sockets from one address add at most its quota of questions and votes, and made-up voter ids are refused', async () => {
    const presenter = await openControl(node.base, { role: 'presenter', token });
    open.push(presenter);
    const tries = await Promise.allSettled(Array.from({ length: 50 }, () => openControl(node.base)));
    const viewers = tries.flatMap((t) => (t.status === 'fulfilled' ? [t.value] : []));
    open.push(...viewers);
    for (const v of viewers) v.ws.setMaxListeners(100); // one listener per pending answer below
    // The presenter holds one of the address's connections.
    expect(viewers.length).toBeLessThanOrEqual(CONNECTIONS - 1);
    expect(tries.filter((t) => t.status === 'rejected').map((t) => String((t as PromiseRejectedResult).reason))).toContain('Error: HTTP 429');

    const asked = await Promise.all(
      viewers.map((v, i) => {
        v.send({ type: 'qa.ask', id: qid(`flood-${i}`), text: `flood ${i}` });
        return answer(v, 'qa.asked', qid(`flood-${i}`));
      }),
    );
    expect(asked.filter((a) => a === 'ok').length).toBeLessThanOrEqual(QUESTIONS_PER_MIN);
    expect(asked).toContain('rate-limited');
    const ids = viewers.flatMap((_v, i) => (asked[i] === 'ok' ? [qid(`flood-${i}`)] : []));

    // Each viewer's votes carry the id the node issued in its welcome: every one is different.
    const welcomes = await Promise.all(viewers.map((v) => v.next('welcome')));
    const voterIds = welcomes.map((w) => w.voterId);
    expect(new Set(voterIds).size).toBe(viewers.length);
    const voted = await Promise.all(
      viewers.flatMap((v, i) =>
        ids.map((id) => {
          v.send({ type: 'qa.vote', questionId: id, voterId: voterIds[i] });
          return answer(v, 'qa.votes', id);
        }),
      ),
    );
    expect(voted.filter((a) => a === 'ok').length).toBeLessThanOrEqual(VOTES_PER_MIN);

    const list = await fullQaList(presenter, 'after-flood');
    expect(list.questions.length).toBeLessThanOrEqual(QUESTIONS_PER_MIN);
    const votes = Object.values(list.votes).reduce((a, b) => a + b, 0);
    expect(votes).toBeLessThanOrEqual(VOTES_PER_MIN);
    // At this rate, filling the node's question cap from one address takes this many minutes.
    expect(MAX_QUESTIONS_PER_NODE / QUESTIONS_PER_MIN).toBeGreaterThanOrEqual(1000);

    // A voter id the viewer made up (the old way to vote twice) is refused.
    for (const v of viewers) v.close();
    await Promise.all(viewers.map((v) => v.closed));
    // The node counts a socket as gone when its own side closes, just after the client's.
    const fresh = await waitFor(() => openControl(node.base), { timeoutMs: 5000, what: 'a control connection after the flood closed' });
    open.push(fresh);
    fresh.send({ type: 'qa.vote', questionId: ids[0]!, voterId: 'v-made-up-by-me-0001' });
    expect(await answer(fresh, 'qa.votes', ids[0]!)).toBe('forbidden');
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted balancer", async () => {
    const held: WebSocket[] = [];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < CONNECTIONS + 5; i++) {
        const r = await openWith(node.base, { 'x-forwarded-for': `10.9.${i}.1` });
        if (typeof r === 'number') statuses.push(r);
        else held.push(r);
      }
      expect(held.length).toBeLessThanOrEqual(CONNECTIONS);
      expect(statuses).toContain(429);
    } finally {
      for (const ws of held) ws.terminate();
    }
  });

  it('counts the address a trusted balancer forwards: one client is capped, another still gets in', async () => {
    const held: WebSocket[] = [];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < CONNECTIONS + 5; i++) {
        // A client's own claim first, the balancer's appended address last: only the last counts.
        const r = await openWith(proxied.base, { 'x-forwarded-for': `10.9.${i}.1, 192.0.2.7` });
        if (typeof r === 'number') statuses.push(r);
        else held.push(r);
      }
      expect(held).toHaveLength(CONNECTIONS);
      expect(statuses).toEqual([429, 429, 429, 429, 429]);
      const other = await openWith(proxied.base, { 'x-forwarded-for': '192.0.2.8' });
      expect(other).toBeInstanceOf(WebSocket);
      if (other instanceof WebSocket) held.push(other);
    } finally {
      for (const ws of held) ws.terminate();
    }
  });
});
