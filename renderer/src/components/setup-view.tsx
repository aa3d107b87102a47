// Setup: the servers (add, edit, remove), cluster profile import, and Go Live with its results.
import { useRef } from 'react';
import { useApp, useServices } from '../app-context.js';
import { GoLivePanel } from './go-live-panel.js';
import { ServerForm } from './server-form.js';
import { ViewerLinks } from './viewer-links.js';

function ProfileImport() {
  const { store } = useServices();
  const message = useApp((s) => s.importMessage);
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="import">
      <button type="button" onClick={() => input.current?.click()}>
        Import cluster profile…
      </button>
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        hidden
        data-testid="profile-file"
        onChange={async (e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) await store.getState().importProfile(await file.text());
        }}
      />
      {message && <p className={message.ok ? 'note ok' : 'note error'} role="status">{message.text}</p>}
    </div>
  );
}

export function SetupView() {
  const { store } = useServices();
  const servers = useApp((s) => s.servers);
  const editing = useApp((s) => s.editing);
  const error = useApp((s) => s.serversError);
  return (
    <div className="setup" data-testid="setup-view">
      <div className="panel">
        <div className="panel-head">
          <h2>Servers</h2>
          <div className="row">
            <ProfileImport />
            <button type="button" data-testid="add-server" onClick={() => store.getState().editServer('new')} disabled={editing !== null}>
              Add server
            </button>
          </div>
        </div>
        {servers.length === 0 && editing === null && (
          <div className="empty">
            <p>No servers yet.</p>
            <p className="muted">Add the RTMP servers you were given (URL and stream key), or import the cluster profile your organiser sent you.</p>
          </div>
        )}
        <ul className="server-list">
          {servers.map((s) =>
            editing === s.id ? (
              <li key={s.id}>
                <ServerForm server={s} />
              </li>
            ) : (
              <li key={s.id} className="server-row" data-testid={`server-${s.id}`}>
                <div>
                  <div className="server-label">{s.label}</div>
                  <div className="muted mono">
                    {s.url}
                    {s.maskedKey ? `/${s.maskedKey}` : ''}
                    {s.controlUrl ? ` · control ${s.controlUrl}` : ''}
                    {s.hasToken ? ' · token set' : ''}
                  </div>
                </div>
                <div className="row">
                  <button type="button" onClick={() => store.getState().editServer(s.id)} disabled={editing !== null}>
                    Edit
                  </button>
                  <button type="button" className="quiet" aria-label={`Remove ${s.label}`} data-testid={`remove-${s.id}`} onClick={() => store.getState().askRemove(s.id)}>
                    Remove
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
        {editing === 'new' && <ServerForm server={null} />}
        {error && <p className="note error" role="alert">{error}</p>}
      </div>
      <GoLivePanel />
      <ViewerLinks />
    </div>
  );
}
