// The node's shared objects, with optional persistence: the whole set is written to a temp file,
// fsynced and renamed over the old one (atomic), coalesced so a burst of writes costs one file write.
import { closeSync, fsyncSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { slotSchema, type Json } from '../../common/control-protocol.js';
import { MAX_OBJECTS, MAX_SLOTS } from '../../common/limits.js';
import { MODERATION_BUCKETS, QA_MODERATION_OBJECT, moderationBucketName } from '../../common/qa.js';
import { applyWrite, type SharedObject } from '../../common/shared-object.js';
import { ensurePrivateDir, openPrivateFile } from './private-dir.js';
import type { Logger } from '../logger.js';

const fileSchema = z.object({ objects: z.record(z.string(), z.object({ public: z.boolean(), slots: z.record(z.string(), slotSchema) })) });
/**
 * The Q&A moderation mirror: `qa.moderation` and its buckets `qa.moderation.0` … `.63`, exactly these
 * names. Bounded by their own design (65 objects, each cut to fit one message), so they do not count
 * against MAX_OBJECTS, which they would otherwise take a quarter of.
 */
const MODERATION_NAMES: ReadonlySet<string> = new Set([QA_MODERATION_OBJECT, ...Array.from({ length: MODERATION_BUCKETS }, (_, n) => moderationBucketName(n))]);
export const isModerationObject = (name: string): boolean => MODERATION_NAMES.has(name);

export class SharedObjectStore {
  private readonly objects = new Map<string, SharedObject>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly file: string | null, private readonly log: Logger) {
    if (!file) return;
    ensurePrivateDir(path.dirname(file));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const parsed = fileSchema.safeParse((() => { try { return JSON.parse(text) as unknown; } catch { return null; } })());
    if (!parsed.success) {
      log.warn({ file }, 'shared objects file unreadable; starting empty');
      return;
    }
    for (const [name, o] of Object.entries(parsed.data.objects)) this.objects.set(name, o);
  }

  get(name: string): SharedObject | undefined {
    return this.objects.get(name);
  }

  entries(): [string, SharedObject][] {
    return [...this.objects.entries()];
  }

  /** Returns the changed slots, or a refusal sentence when a bound would be passed. */
  write(name: string, isPublic: boolean, slots: Record<string, Json>): { changed: string[]; object: SharedObject } | string {
    const cur = this.objects.get(name);
    if (!cur && !isModerationObject(name) && this.appObjects() >= MAX_OBJECTS) return `At most ${MAX_OBJECTS} shared objects per node`;
    const r = applyWrite(cur, slots, isPublic);
    if (Object.keys(r.object.slots).length > MAX_SLOTS) return `At most ${MAX_SLOTS} slots per shared object`;
    if (r.changed.length === 0) return r;
    this.objects.set(name, r.object);
    this.schedule();
    return r;
  }

  private appObjects(): number {
    let n = 0;
    for (const name of this.objects.keys()) if (!isModerationObject(name)) n++;
    return n;
  }

  private schedule(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => this.flush(), 20);
  }

  /** Writes pending state now (also on stop). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      const fd = openPrivateFile(tmp, 'truncate');
      try {
        writeSync(fd, JSON.stringify({ objects: Object.fromEntries(this.objects) }));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
    } catch (err) {
      this.log.error({ err: String(err) }, 'could not persist shared objects');
    }
  }
}
