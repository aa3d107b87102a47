// Add or edit one server. The stream key and token are never shown back: on edit, leaving them
// empty keeps what is stored.
import { type ReactNode, useState } from 'react';
import type { ServerView } from '../../../common/ipc-contract.js';
import { MAX_ID_CHARS, MAX_LABEL_CHARS } from '../../../common/limits.js';
import { useApp, useServices } from '../app-context.js';

function nextId(existing: string[]): string {
  for (let i = 1; i <= existing.length + 1; i++) if (!existing.includes(`server-${i}`)) return `server-${i}`;
  return `server-${Date.now()}`;
}

export function ServerForm({ server }: { server: ServerView | null }) {
  const { store } = useServices();
  const errors = useApp((s) => s.formErrors);
  const ids = useApp((s) => s.servers.map((x) => x.id).join('\n'));
  const [id, setId] = useState(server?.id ?? nextId(ids ? ids.split('\n') : []));
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
          id: id.trim(),
          url: url.trim(),
          ...(label.trim() ? { label: label.trim() } : {}),
          ...(streamKey.trim() ? { streamKey: streamKey.trim() } : {}),
          ...(controlUrl.trim() ? { controlUrl: controlUrl.trim() } : {}),
          ...(token ? { token } : {}),
        });
      }}
    >
      <h3>{server ? `Edit ${server.label}` : 'Add a server'}</h3>
      <div className="grid2">
        {field('label', 'Name (optional)', <input name="label" maxLength={MAX_LABEL_CHARS} value={label} onChange={(e) => setLabel(e.target.value)} placeholder="Main datacenter" />)}
        {field('id', 'Id', <input name="id" maxLength={MAX_ID_CHARS} value={id} onChange={(e) => setId(e.target.value)} required />, 'Letters, digits, _ . -')}
      </div>
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
      {errors.form && <p className="note error" role="alert">{errors.form}</p>}
      <div className="actions">
        <button type="button" className="quiet" onClick={() => store.getState().editServer(null)}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="save-server">
          Save server
        </button>
      </div>
    </form>
  );
}
