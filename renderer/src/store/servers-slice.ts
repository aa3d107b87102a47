// Servers: the list (as the host shows it, secrets masked), the form being edited, profile import.
import type { IpcIssue, ServerInput, ServerView, TandemApi } from '../../../common/ipc-contract.js';
import { serverInputSchema } from '../../../common/ipc-contract.js';
import type { Slice } from './slice.js';

/** 'new' while adding, a server id while editing, null when the form is closed. */
export type Editing = 'new' | string | null;

export interface ServersSlice {
  servers: ServerView[];
  editing: Editing;
  /** Field → sentence, for the open form. */
  formErrors: Record<string, string>;
  serversError: string | null;
  /** The server whose removal waits for the presenter's yes. */
  confirmingRemove: string | null;
  askRemove(id: string | null): void;
  importMessage: { ok: boolean; text: string } | null;
  loadServers(): Promise<void>;
  editServer(id: Editing): void;
  /** Validates locally first (the host validates again); resolves true when saved. */
  saveServer(input: ServerInput): Promise<boolean>;
  removeServer(id: string): Promise<void>;
  importProfile(text: string): Promise<boolean>;
}

function errorsFrom(issues: IpcIssue[] | undefined, fallback: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues ?? []) {
    const key = String(i.path[0] ?? 'form');
    out[key] ??= i.message;
  }
  if (Object.keys(out).length === 0) out.form = fallback;
  return out;
}

export const createServersSlice =
  (api: TandemApi): Slice<ServersSlice> =>
  (set, get) => ({
    servers: [],
    editing: null,
    formErrors: {},
    serversError: null,
    confirmingRemove: null,
    importMessage: null,
    askRemove(id) {
      set({ confirmingRemove: id });
    },
    async loadServers() {
      const r = await api.invoke('servers.list', {});
      if (r.ok) set({ servers: r.value, serversError: null });
      else set({ serversError: r.message });
    },
    editServer(id) {
      set({ editing: id, formErrors: {} });
    },
    async saveServer(input) {
      const local = serverInputSchema.safeParse(input);
      if (!local.success) {
        set({ formErrors: errorsFrom(local.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message })), 'Check the fields') });
        return false;
      }
      const r = await api.invoke('servers.save', local.data);
      if (!r.ok) {
        set({ formErrors: errorsFrom(r.issues, r.message) });
        return false;
      }
      set({ servers: r.value, editing: null, formErrors: {}, serversError: null });
      return true;
    },
    async removeServer(id) {
      set({ confirmingRemove: null });
      const r = await api.invoke('servers.remove', { id });
      if (r.ok) set({ servers: r.value, serversError: null, editing: get().editing === id ? null : get().editing });
      else set({ serversError: r.message });
    },
    async importProfile(text) {
      const r = await api.invoke('profile.import', { text });
      if (!r.ok) {
        set({ importMessage: { ok: false, text: r.message } });
        return false;
      }
      set({ profile: r.value, importMessage: { ok: true, text: `Imported “${r.value.name ?? 'profile'}”.` }, editing: null });
      await get().loadServers();
      return true;
    },
  });
