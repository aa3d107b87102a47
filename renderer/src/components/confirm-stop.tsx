// Stopping ends the webcast for every viewer on every server, so it asks first.
import { useApp, useServices } from '../app-context.js';

export function ConfirmStop() {
  const { live, store } = useServices();
  const servers = useApp((s) => s.session?.tiles.length ?? 0);
  return (
    <div className="dialog-backdrop" role="presentation">
      <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="stop-title" aria-describedby="stop-desc">
        <h2 id="stop-title">Stop the webcast?</h2>
        <p id="stop-desc">Viewers on {servers === 1 ? 'your server' : servers === 2 ? 'both servers' : `all ${servers} servers`} will see the webcast end.</p>
        <div className="actions">
          <button type="button" onClick={() => store.getState().cancelStop()} autoFocus>
            Keep streaming
          </button>
          <button type="button" className="danger" data-testid="confirm-stop" onClick={() => void live.stop()}>
            Stop webcast
          </button>
        </div>
      </div>
    </div>
  );
}
