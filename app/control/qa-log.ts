// The node's questions and votes: kept in memory (bounded) and in an append-only JSON-lines file,
// replayed on start, so a node restart loses no question. Each record is written with one
// write(2) (in the page cache at once, so even kill -9 keeps it) and fdatasync'd within 100 ms.
import { closeSync, existsSync, fdatasyncSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { nodeQuestionSchema, questionIdSchema, voterIdSchema, type NodeQuestion, type NodeToClient } from '../../common/control-protocol.js';
import { MAX_QUESTIONS_PER_NODE, MAX_VOTES_PER_NODE } from '../../common/limits.js';
import { ensurePrivateDir, openPrivateFile } from './private-dir.js';
import type { Logger } from '../logger.js';

const recordSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('q'), q: nodeQuestionSchema }),
  z.object({ t: z.literal('v'), q: questionIdSchema, v: voterIdSchema }),
]);

export type AskResult = { kind: 'new' | 'repeat'; question: NodeQuestion } | { kind: 'full' };
export type VoteResult = { kind: 'new' | 'repeat'; votes: number } | { kind: 'full' };

export class QaLog {
  private readonly questions = new Map<string, NodeQuestion>();
  private readonly voters = new Map<string, Set<string>>();
  private voteCount = 0;
  private fd: number | null = null;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | null = null;

  constructor(private readonly file: string | null, private readonly log: Logger, private readonly now: () => number = Date.now) {
    if (!file) return;
    ensurePrivateDir(path.dirname(file));
    // Opened (never through a symlink) before it is read, so the replay reads the same file.
    this.fd = openPrivateFile(file, 'append');
    this.replay(file);
  }

  private replay(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    let bad = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      let rec;
      try {
        rec = recordSchema.safeParse(JSON.parse(line));
      } catch {
        bad++;
        continue;
      }
      if (!rec.success) {
        bad++;
        continue;
      }
      if (rec.data.t === 'q') {
        if (!this.questions.has(rec.data.q.id)) this.questions.set(rec.data.q.id, { ...rec.data.q, votes: 0 });
      } else {
        this.addVote(rec.data.q, rec.data.v);
      }
    }
    // A torn last line (power loss mid-write) is expected; anything more is worth a warning.
    if (bad > 0) this.log.warn({ bad }, 'skipped unreadable Q&A log lines');
    this.log.info({ questions: this.questions.size, votes: this.voteCount }, 'Q&A log replayed');
  }

  private addVote(qid: string, voter: string): boolean {
    let set = this.voters.get(qid);
    if (!set) this.voters.set(qid, (set = new Set()));
    if (set.has(voter)) return false;
    set.add(voter);
    this.voteCount++;
    const q = this.questions.get(qid);
    if (q) q.votes = set.size;
    return true;
  }

  has(id: string): boolean {
    return this.questions.has(id);
  }

  ask(id: string, text: string, name: string | undefined): AskResult {
    const prev = this.questions.get(id);
    if (prev) return { kind: 'repeat', question: prev };
    if (this.questions.size >= MAX_QUESTIONS_PER_NODE) return { kind: 'full' };
    const q: NodeQuestion = { id, text, ...(name ? { name } : {}), askedAt: this.now(), votes: this.voters.get(id)?.size ?? 0 };
    this.append({ t: 'q', q: { ...q, votes: 0 } });
    this.questions.set(id, q);
    return { kind: 'new', question: q };
  }

  vote(qid: string, voter: string): VoteResult {
    if (this.voters.get(qid)?.has(voter)) return { kind: 'repeat', votes: this.votesFor(qid) };
    if (this.voteCount >= MAX_VOTES_PER_NODE) return { kind: 'full' };
    this.append({ t: 'v', q: qid, v: voter });
    this.addVote(qid, voter);
    return { kind: 'new', votes: this.votesFor(qid) };
  }

  votesFor(qid: string): number {
    return this.voters.get(qid)?.size ?? 0;
  }

  list(): NodeQuestion[] {
    return [...this.questions.values()];
  }

  allVotes(): Record<string, number> {
    return Object.fromEntries([...this.voters.entries()].map(([k, s]) => [k, s.size]));
  }

  /**
   * Everything for a presenter's `qa.list`: every question, every vote count and the voter ids
   * behind them, as pages of at most `maxBytes` of JSON each (a question's voters may run over
   * several pages). A snapshot: later questions and votes reach the presenter as their own messages.
   */
  listPages(id: string, maxBytes: number): Extract<NodeToClient, { type: 'qa.list' }>[] {
    type Page = Extract<NodeToClient, { type: 'qa.list' }>;
    const pages: Page[] = [];
    // Room for the envelope: type, id, the three keys, part and last.
    const envelope = 96 + id.length;
    let page: Page = { type: 'qa.list', id, questions: [], votes: {}, voters: {}, part: 0, last: false };
    let bytes = envelope;
    const room = (n: number): void => {
      if (bytes + n <= maxBytes || bytes === envelope) return;
      pages.push(page);
      page = { type: 'qa.list', id, questions: [], votes: {}, voters: {}, part: pages.length, last: false };
      bytes = envelope;
    };
    for (const q of this.questions.values()) {
      const n = Buffer.byteLength(JSON.stringify(q)) + 1;
      room(n);
      page.questions.push(q);
      bytes += n;
    }
    for (const [qid, set] of this.voters) {
      const n = qid.length + 16;
      room(n);
      page.votes[qid] = set.size;
      bytes += n;
      for (const v of set) {
        room(v.length + qid.length + 8);
        const list = (page.voters![qid] ??= []);
        if (list.length === 0) bytes += qid.length + 6;
        list.push(v);
        bytes += v.length + 3;
      }
    }
    page.last = true;
    pages.push(page);
    return pages;
  }

  /**
   * A new webcast with a fresh Q&A: this session's log moves to a dated archive beside it (same
   * private folder, still 0600: a rename keeps the mode) and the node starts empty, so the
   * per-session bounds (MAX_QUESTIONS_PER_NODE) count from zero again. Returns the archive's path,
   * or null when there was nothing to keep (an empty session, or no state folder).
   */
  archive(label: string): string | null {
    const had = this.questions.size > 0 || this.voteCount > 0;
    this.sync();
    this.questions.clear();
    this.voters.clear();
    this.voteCount = 0;
    if (!this.file || this.fd === null || !had) return null;
    closeSync(this.fd);
    this.fd = null;
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    const base = path.join(path.dirname(this.file), `questions-${stamp}-${label}`);
    // Two archives in one millisecond under one label would collide: a counter tells them apart.
    let target = `${base}.jsonl`;
    for (let n = 2; existsSync(target) && n < 1000; n++) target = `${base}-${n}.jsonl`;
    try {
      renameSync(this.file, target);
    } catch (err) {
      this.log.error({ err: String(err) }, 'could not archive the Q&A log; the new session appends to it');
      target = '';
    }
    this.fd = openPrivateFile(this.file, 'append');
    if (!target) return null;
    this.log.info({ archive: path.basename(target) }, 'Q&A archived for a new webcast');
    return target;
  }

  private append(rec: z.infer<typeof recordSchema>): void {
    if (this.fd === null) return;
    writeSync(this.fd, JSON.stringify(rec) + '\n');
    this.dirty = true;
    this.syncTimer ??= setTimeout(() => this.sync(), 100);
  }

  private sync(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (this.fd === null || !this.dirty) return;
    this.dirty = false;
    try {
      fdatasyncSync(this.fd);
    } catch (err) {
      this.log.error({ err: String(err) }, 'Q&A log fdatasync failed');
    }
  }

  close(): void {
    this.sync();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
