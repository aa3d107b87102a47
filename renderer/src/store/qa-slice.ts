// Q&A and what viewers see: the engine's merged, moderated question list (pushed by the host as the
// `qa` event), the moderation actions, pre-moderation, export, shared-object writes (banner text,
// slide title) and cues. Plain TS over the contract: the panel renders, this decides.
import type { QaAction, QaExport, QaState, TandemApi } from '../../../common/ipc-contract.js';
import type { Json } from '../../../common/control-protocol.js';
import type { Slice } from './slice.js';

export type QaSort = 'votes' | 'time';
export type QaQuestion = QaState['questions'][number];

export interface QaSlice {
  qa: QaState | null;
  qaSort: QaSort;
  /** The last refused Q&A / shared-object / cue call, in words. */
  qaError: string | null;
  /** Values this window last wrote, by "object/slot"; a new Map on every write. */
  sharedSent: Map<string, string>;
  lastCue: { id: string; name: string } | null;
  loadQa(): Promise<void>;
  applyQa(qa: QaState): void;
  setQaSort(sort: QaSort): void;
  moderate(id: string, action: QaAction): Promise<boolean>;
  setPremoderation(on: boolean): Promise<boolean>;
  exportQa(format: 'csv' | 'json', webcast?: 'current' | 'previous'): Promise<QaExport | null>;
  setShared(object: string, slot: string, value: string): Promise<boolean>;
  sendCue(name: string, payload: Json): Promise<boolean>;
}

/** Pinned first; then most votes (older first on ties) or newest first. Returns a new array. */
export function sortQuestions(qs: readonly QaQuestion[], sort: QaSort): QaQuestion[] {
  return [...qs].sort(
    (a, b) =>
      Number(b.pinned) - Number(a.pinned) ||
      (sort === 'votes' ? b.votes - a.votes || a.askedAt - b.askedAt : b.askedAt - a.askedAt) ||
      a.id.localeCompare(b.id),
  );
}

/**
 * The pushed list with every question that did not change kept as the object the store already
 * holds, so the panel re-renders only rows that changed (a busy Q&A pushes thousands of questions
 * per batch, and re-rendering them all kept the newest off the screen for seconds).
 */
export function keepUnchanged(prev: readonly QaQuestion[], next: readonly QaQuestion[]): QaQuestion[] {
  const before = new Map(prev.map((q) => [q.id, q]));
  return next.map((q) => {
    const p = before.get(q.id);
    const same =
      p !== undefined &&
      p.votes === q.votes &&
      p.status === q.status &&
      p.pinned === q.pinned &&
      p.text === q.text &&
      p.author === q.author &&
      p.askedAt === q.askedAt &&
      p.servers.join() === q.servers.join();
    return same ? p : q;
  });
}

export const createQaSlice =
  (api: TandemApi): Slice<QaSlice> =>
  (set, get) => {
    /** Shows a refusal in words, or clears the last one; narrows `r` to the accepted result. */
    const accepted = <R extends { ok: boolean; message?: string }>(r: R): r is Extract<R, { ok: true }> => {
      set({ qaError: r.ok ? null : (r.message ?? 'refused') });
      return r.ok;
    };
    return {
      qa: null,
      qaSort: 'votes',
      qaError: null,
      sharedSent: new Map(),
      lastCue: null,
      async loadQa() {
        const r = await api.invoke('qa.get', {});
        if (r.ok) get().applyQa(r.value);
      },
      applyQa(qa) {
        set({ qa: { ...qa, questions: keepUnchanged(get().qa?.questions ?? [], qa.questions) } });
      },
      setQaSort(qaSort) {
        set({ qaSort });
      },
      async moderate(id, action) {
        const r = await api.invoke('qa.moderate', { id, action });
        if (!accepted(r)) return false;
        get().applyQa(r.value);
        return true;
      },
      async setPremoderation(on) {
        const r = await api.invoke('qa.setPremoderation', { on });
        if (!accepted(r)) return false;
        get().applyQa(r.value);
        return true;
      },
      async exportQa(format, webcast = 'current') {
        const r = await api.invoke('qa.export', { format, webcast });
        return accepted(r) ? r.value : null;
      },
      async setShared(object, slot, value) {
        const r = await api.invoke('so.set', { object, slot, value });
        if (!accepted(r)) return false;
        const sharedSent = new Map(get().sharedSent);
        sharedSent.set(`${object}/${slot}`, value);
        set({ sharedSent });
        return true;
      },
      async sendCue(name, payload) {
        const r = await api.invoke('cue.send', { name, payload });
        if (!accepted(r)) return false;
        set({ lastCue: { id: r.value.id, name } });
        return true;
      },
    };
  };
