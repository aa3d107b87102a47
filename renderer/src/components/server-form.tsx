// Add or edit one server. The stream key and token are never shown back: on edit, leaving them
// empty keeps what is stored.
import { type ReactNode, useState } from 'react';
import type { ServerView } from '../../../common/ipc-contract.js';
import { MAX_ID_CHARS, MAX_LABEL_CHARS } from '../../../common/limits.js';
import { useApp, useServices } from '../app-context.js';

/**
 * A new server's id, made from its name (or the URL's host): presenters never type ids, and an id
 * never changes once made (the stored key and token hang on it).
 */
export function newServerId(label: string, url: string, existing: readonly string[]): string {
  let host = '';
  try {
    host = new URL(url.trim()).hostname;
  } catch {
    // no URL yet: the name, or "server"
  }
  const base =
    (label.trim() || host)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, MAX_ID_CHARS - 4) || 'server';
  if (!existing.includes(base)) return base;
  for (let i = 2; i <= existing.length + 2; i++) if (!existing.includes(`${base}-${i}`)) return `${base}-${i}`;
  return `${base}-${existing.length + 3}`;
}

export function ServerForm({ server }: { server: ServerView | null }) {
  const { store } = useServices();
  const errors = useApp((s) => s.formErrors);
  const ids = useApp((s) => s.servers.map((x) => x.id).join('\n'));
  const live = useApp((s) => (s.session?.state ?? 'idle') !== 'idle');
  const [label, setLabel] = useState(server?.label ?? '');
  const [url, setUrl] = useState(server?.url ?? '');
  const [streamKey, setStreamKey] = useState('');
  const [controlUrl, setControlUrl] = useState(server?.controlUrl ?? '');
  const [token, setToken] = useState('');
  const field = (name: string, labelText: string, input: ReactNode, hint?: string) => (
    <label className={errors[name] ? 'field invalid' : 'field'}>
      <span>{labelText}</span>
      {input}
      {errors[name] ? <span className="field-error" role="alert">{errors[name]}</span> : hint ? <span className="hint">{hint}</span> : null}
    </label>
  );
  return (
    <form
      className="server-form"
      data-testid="server-form"
      onSubmit={(e) => {
        e.preventDefault();
        void store.getState().saveServer({
          ...(server ? { originalId: server.id } : {}),
          id: server?.id ?? newServerId(label, url, ids ? ids.split('\n') : []),
          url: url.trim(),
          ...(label.trim() ? { label: label.trim() } : {}),
          ...(streamKey.trim() ? { streamKey: streamKey.trim() } : {}),
          ...(controlUrl.trim() ? { controlUrl: controlUrl.trim() } : {}),
          ...(token ? { token } : {}),
        });
      }}
    >
      <h3>{server ? `Edit ${server.label}` : 'Add a server'}</h3>
      {field('label', 'Name (optional)', <input name="label" maxLength={MAX_LABEL_CHARS} value={label} onChange={(e) => setLabel(e.target.value)} placeholder="Main datacenter" />)}
      {field('url', 'Server URL', <input name="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="rtmp://host:1935/live" autoFocus={!server} />, 'rtmp:// or rtmps://; a full publish URL with key also works')}
      {field(
        'streamKey',
        'Stream key',
        <input name="streamKey" type="password" autoComplete="off" value={streamKey} onChange={(e) => setStreamKey(e.target.value)} placeholder={server?.maskedKey ? '•••• (unchanged)' : 'optional if the URL has it'} />,
        'Kept encrypted on this machine, never shown again',
      )}
      <div className="grid2">
        {field('controlUrl', 'Control URL (optional)', <input name="controlUrl" value={controlUrl} onChange={(e) => setControlUrl(e.target.value)} placeholder="http://host:8080" />, 'A Tandem node: viewers, Q&A')}
        {field('token', 'Presenter token (optional)', <input name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} placeholder={server?.hasToken ? '•••• (unchanged)' : ''} />)}
      </div>
      {errors.id && <p className="note error" role="alert">{errors.id}</p>}
      {errors.form && <p className="note error" role="alert">{errors.form}</p>}
      {live && (
        <p className="note" data-testid="live-save-note">
          {server ? 'Saving applies the new URL or key to this server at once; the others are not touched.' : 'Saving adds this server to the running webcast: it is checked, then goes live; the others are not touched.'}
        </p>
      )}
      <div className="actions">
        <button type="button" className="quiet" onClick={() => store.getState().editServer(null)}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="save-server">
          {live ? (server ? 'Save and apply' : 'Save and go live on it') : 'Save server'}
        </button>
      </div>
    </form>
  );
}
