// Removing a server deletes its stored key and token (and, while live, stops it), so it asks first.
import { useApp, useServices } from '../app-context.js';

export function ConfirmRemove() {
  const { store } = useServices();
  const id = useApp((s) => s.confirmingRemove);
  const server = useApp((s) => s.servers.find((x) => x.id === s.confirmingRemove));
  const live = useApp((s) => (s.session?.state ?? 'idle') !== 'idle');
  if (!id) return null;
  const name = server?.label ?? id;
  return (
    <div className="dialog-backdrop" role="presentation">
      <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="remove-title" aria-describedby="remove-desc" data-testid="confirm-remove-dialog">
        <h2 id="remove-title">Remove {name}?</h2>
        <p id="remove-desc">
          {live ? `Its viewers see the stream end now; the other servers stay live. ` : ''}Its stream key and token are deleted from this computer.
        </p>
        <div className="actions">
          <button type="button" onClick={() => store.getState().askRemove(null)} autoFocus>
            Keep it
          </button>
          <button type="button" className="danger" data-testid="confirm-remove" onClick={() => void store.getState().removeServer(id)}>
            Remove
          </button>
        </div>
      </div>
    </div>
  );
}
