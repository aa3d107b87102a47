// One button. The 3 s setup runs first; its per-server results are shown, and going live with
// some servers down is allowed and said so.
import { useApp, useServices } from '../app-context.js';
import { setupWords } from '../format.js';

export function SetupResults() {
  const last = useApp((s) => s.lastGoLive);
  const setup = useApp((s) => s.session?.setup ?? s.lastGoLive?.setup ?? null);
  if (!setup) return null;
  return (
    <div className="setup-results" data-testid="setup-results">
      {last && <p className={last.live ? (setup.code === 'NetConnection.Setup.Success' ? 'note ok' : 'note warn') : 'note error'}>{last.message}</p>}
      <ul>
        {setup.servers.map((r) => (
          <li key={r.id} data-result={r.result}>
            <span className={`badge ${r.result === 'ready' ? 'ok' : 'bad'}`}>{setupWords[r.result] ?? r.result}</span> <strong>{r.label}</strong>{' '}
            <span className="muted">{r.message} ({r.elapsedMs} ms)</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function GoLivePanel() {
  const { live } = useServices();
  const count = useApp((s) => s.servers.length);
  const busy = useApp((s) => s.busy);
  const state = useApp((s) => s.session?.state ?? 'idle');
  const error = useApp((s) => s.liveError);
  const testPattern = useApp((s) => s.useTestPattern);
  return (
    <div className="panel go-live">
      <button
        type="button"
        className="go-live-button"
        data-testid="go-live"
        disabled={count === 0 || busy || state !== 'idle'}
        onClick={() => void live.goLive()}
        title="Ctrl+Shift+L"
      >
        {state === 'setting-up' || busy ? 'Checking servers…' : 'Go Live'}
      </button>
      <p className="muted">
        {count === 0
          ? 'Add a server to go live.'
          : `Checks all ${count} server${count === 1 ? '' : 's'} (3 s), then goes live on every one that answers${testPattern ? ', with the test pattern' : ''}. Ctrl+Shift+L`}
      </p>
      {error && <p className="note error" role="alert">{error}</p>}
      <SetupResults />
    </div>
  );
}
