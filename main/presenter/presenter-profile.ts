// The presenter's servers, brand and viewer URLs, persisted: what is safe to show goes to the
// settings document, what is secret (the publish URL's key or signed path, control-plane tokens)
// goes to the secret store. Nothing this class returns to the renderer contains a secret.
import { z } from 'zod';
import { controlSocketUrl } from '../../common/control-protocol.js';
import type { ProfileView, ServerInput, ServerView } from '../../common/ipc-contract.js';
import { MIN_TOKEN_CHARS } from '../../common/limits.js';
import { type Brand, type ClusterProfile, brandSchema, clusterProfileSchema, defaultBrand, presenterTokenProblem } from '../../common/profile.js';
import { joinPublishUrl, maskPublishUrl, sameControlOrigin, samePublishHost, splitPublishUrl } from '../../common/publish-url.js';
import { Emitter } from '../../common/event.js';
import type { ServerConfig } from '../../common/streaming.js';
import { HostError } from './host-error.js';
import {
  ID_TAKEN,
  PROFILE_NOT_JSON,
  noServer,
  noServerToEdit,
  profileInvalid,
  serverIdTaken,
  settingsUnreadable,
  settingsUnsaved,
} from './presenter-text.js';
import type { SecretStore, SettingsStore } from './storage.js';

const storedServerSchema = z.object({
  id: z.string(),
  label: z.string().optional(),
  /** rtmp[s]://host[:port]/app: the visible part of the publish URL. */
  base: z.string(),
  controlUrl: z.string().optional(),
});
type StoredServer = z.infer<typeof storedServerSchema>;

const settingsSchema = z.object({
  version: z.literal(1),
  profileName: z.string().nullable().default(null),
  brand: brandSchema.nullable().default(null),
  viewerUrls: z.array(z.string()).default([]),
  servers: z.array(storedServerSchema).default([]),
  /** Record every webcast locally (issue #12): on unless the presenter turned it off. */
  recording: z.boolean().default(true),
});
type Settings = z.infer<typeof settingsSchema>;

const emptySettings = (): Settings => ({ version: 1, profileName: null, brand: null, viewerUrls: [], servers: [], recording: true });

const publishSecret = (id: string) => `server/${id}/publish`;
const tokenSecret = (id: string) => `server/${id}/token`;

/** Both without a control URL, or both reaching the same node: only then does a stored token stay. */
function sameControl(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return !a && !b;
  return sameControlOrigin(a, b);
}

/** The engine's config for a server, plus the node's http address for /metrics (Tandem nodes). */
export type EngineServer = ServerConfig & { metricsBase?: string };

export class PresenterProfile {
  private settings: Settings | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private readonly _onServers = new Emitter<ServerView[]>();
  /** Fires with the new list after servers were saved, removed or replaced by an imported profile. */
  readonly onServers = this._onServers.event;
  private readonly _onProfile = new Emitter<ProfileView>();
  /** Fires with the new profile (name, brand, viewer URLs) after one was imported. */
  readonly onProfile = this._onProfile.event;

  constructor(
    private readonly store: SettingsStore,
    private readonly secrets: SecretStore,
    /** The brand from assets/brand/ (or the built-in one) when no profile sets one. */
    private readonly fallbackBrand: Brand = defaultBrand,
  ) {}

  async servers(): Promise<ServerView[]> {
    const s = await this.load();
    return Promise.all(s.servers.map((x) => this.view(x)));
  }

  async profile(): Promise<ProfileView> {
    const s = await this.load();
    return { name: s.profileName, brand: s.brand ?? this.fallbackBrand, viewerUrls: s.viewerUrls };
  }

  /** Whether webcasts are recorded locally. */
  async recordingOn(): Promise<boolean> {
    return (await this.load()).recording;
  }

  setRecordingOn(on: boolean): Promise<void> {
    return this.serial(async () => {
      const s = await this.load();
      await this.persist({ ...s, recording: on });
    });
  }

  /** Adds or edits a server. On edit, empty key and token fields keep what is stored for the same address. */
  save(input: ServerInput): Promise<ServerView[]> {
    return this.serial(async () => {
      const s = await this.load();
      const editing = input.originalId !== undefined ? s.servers.findIndex((x) => x.id === input.originalId) : -1;
      if (input.originalId !== undefined && editing < 0) throw new HostError('not-found', noServerToEdit(input.originalId));
      const clash = s.servers.findIndex((x) => x.id === input.id);
      if (clash >= 0 && clash !== editing) {
        throw new HostError('invalid-args', serverIdTaken(input.id), [{ path: ['id'], message: ID_TAKEN }]);
      }
      // A typed token meets the node's strength rule (common/profile.ts), refused in words before anything is stored.
      const weak = input.token ? presenterTokenProblem(input.token) : null;
      if (weak) throw new HostError('invalid-args', weak, [{ path: ['token'], message: weak }]);
      const { base, secret } = splitPublishUrl(joinPublishUrl(input.url, input.streamKey));
      const old = editing >= 0 ? s.servers[editing] : undefined;
      const oldSecret = old ? await this.secrets.get(publishSecret(old.id)) : null;
      const oldToken = old ? await this.secrets.get(tokenSecret(old.id)) : null;
      // Editing the label must not lose the key or token the form never saw; but a secret stays
      // only with the address it was given for: a new publish host or control origin drops it.
      const newSecret = secret !== '' ? secret : old && samePublishHost(old.base, base) ? (oldSecret ?? '') : '';
      const newToken = input.token ? input.token : old && sameControl(old.controlUrl, input.controlUrl) ? (oldToken ?? '') : '';
      const stored: StoredServer = {
        id: input.id,
        base,
        ...(input.label ? { label: input.label } : {}),
        ...(input.controlUrl ? { controlUrl: input.controlUrl } : {}),
      };
      if (old && old.id !== input.id) await this.dropSecrets(old.id);
      await this.putSecret(publishSecret(input.id), newSecret);
      await this.putSecret(tokenSecret(input.id), newToken);
      const servers = [...s.servers];
      if (editing >= 0) servers[editing] = stored;
      else servers.push(stored);
      await this.persist({ ...s, servers });
      return this.changedServers();
    });
  }

  remove(id: string): Promise<ServerView[]> {
    return this.serial(async () => {
      const s = await this.load();
      if (!s.servers.some((x) => x.id === id)) throw new HostError('not-found', noServer(id));
      await this.dropSecrets(id);
      await this.persist({ ...s, servers: s.servers.filter((x) => x.id !== id) });
      return this.changedServers();
    });
  }

  /** Replaces servers, brand and viewer URLs with an organiser's cluster profile. */
  importProfile(text: string): Promise<ProfileView> {
    return this.serial(async () => {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new HostError('invalid-profile', PROFILE_NOT_JSON);
      }
      const parsed = clusterProfileSchema.safeParse(raw);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new HostError(
          'invalid-profile',
          profileInvalid(first ? `${first.path.join('.') || 'file'}: ${first.message}` : null),
          parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message })),
        );
      }
      const p: ClusterProfile = parsed.data;
      const s = await this.load();
      for (const old of s.servers) await this.dropSecrets(old.id);
      const servers: StoredServer[] = [];
      for (const srv of p.servers) {
        const { base, secret } = splitPublishUrl(joinPublishUrl(srv.url, srv.streamKey));
        await this.putSecret(publishSecret(srv.id), secret);
        await this.putSecret(tokenSecret(srv.id), srv.token ?? '');
        servers.push({ id: srv.id, base, ...(srv.label ? { label: srv.label } : {}), ...(srv.controlUrl ? { controlUrl: srv.controlUrl } : {}) });
      }
      // A cluster profile is the organiser's: the presenter's own settings (recording) stay.
      await this.persist({ ...s, version: 1, profileName: p.name, brand: p.brand ?? null, viewerUrls: p.viewerUrls, servers });
      const view = await this.profile();
      this._onProfile.fire(view);
      await this.changedServers();
      return view;
    });
  }

  /**
   * Full configs for the engine, secrets included: these never leave the host. A server with a
   * control URL (the node's http(s) address) and a presenter token gets the engine's controlUrl
   * (ws(s)://…/control) and controlToken; `metricsBase` keeps the http address for /metrics.
   */
  async engineServers(): Promise<EngineServer[]> {
    const s = await this.load();
    return Promise.all(
      s.servers.map(async (x) => {
        const token = (await this.secrets.get(tokenSecret(x.id))) ?? '';
        const control = x.controlUrl && token.length >= MIN_TOKEN_CHARS ? { controlUrl: controlSocketUrl(x.controlUrl), controlToken: token } : {};
        return {
          id: x.id,
          url: joinPublishUrl(x.base, (await this.secrets.get(publishSecret(x.id))) ?? ''),
          label: x.label ?? maskPublishUrl(x.base),
          ...control,
          ...(x.controlUrl ? { metricsBase: x.controlUrl } : {}),
        };
      }),
    );
  }

  /** The list after a change, told to whoever shows it. */
  private async changedServers(): Promise<ServerView[]> {
    const list = await this.servers();
    this._onServers.fire(list);
    return list;
  }

  private async view(x: StoredServer): Promise<ServerView> {
    const secret = await this.secrets.get(publishSecret(x.id));
    return {
      id: x.id,
      label: x.label ?? maskPublishUrl(x.base),
      url: x.base,
      maskedKey: secret ? '••••' : null,
      controlUrl: x.controlUrl ?? null,
      hasToken: !!(await this.secrets.get(tokenSecret(x.id))),
    };
  }

  private async putSecret(name: string, value: string): Promise<void> {
    if (value) await this.secrets.set(name, value);
    else await this.secrets.delete(name);
  }

  private async dropSecrets(id: string): Promise<void> {
    await this.secrets.delete(publishSecret(id));
    await this.secrets.delete(tokenSecret(id));
  }

  private async load(): Promise<Settings> {
    if (this.settings) return this.settings;
    let raw: unknown;
    try {
      raw = await this.store.read();
    } catch (err) {
      throw new HostError('storage', settingsUnreadable((err as Error).message));
    }
    const parsed = settingsSchema.safeParse(raw ?? emptySettings());
    // Unreadable settings start empty rather than blocking the presenter; secrets stay where they are.
    this.settings = parsed.success ? parsed.data : emptySettings();
    return this.settings;
  }

  private async persist(next: Settings): Promise<void> {
    try {
      await this.store.write(next);
    } catch (err) {
      throw new HostError('storage', settingsUnsaved((err as Error).message));
    }
    this.settings = next;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
