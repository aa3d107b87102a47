// While live: the headline (from the same board the tiles read), the network strip and the
// recording, one tile per server, servers added, edited or removed without stopping, the viewer
// links, what is on air, and Stop.
import { useShallow } from 'zustand/react/shallow';
import { liveHeadline } from '../../../common/server-board.js';
import { useApp, useServices } from '../app-context.js';
import { Countdown, SetupResults } from './go-live-panel.js';
import { NetworkStrip } from './network-strip.js';
import { ServerForm } from './server-form.js';
import { ServerTileView } from './server-tile.js';
import { ViewerLinks } from './viewer-links.js';

const onAirWords: Record<string, string> = {
  capture: 'Your camera and microphone',
  'test-pattern': 'The test pattern',
  slate: 'The slate (your capture is away; it resumes by itself)',
};

function LiveServers() {
  const { store } = useServices();
  const editing = useApp((s) => s.editing);
  const server = useApp((s) => (s.editing && s.editing !== 'new' ? (s.servers.find((x) => x.id === s.editing) ?? null) : null));
  const ids = useApp(useShallow((s) => s.session?.tiles.map((t) => t.snapshot.id) ?? []));
  const state = useApp((s) => s.session?.state ?? 'idle');
  const error = useApp((s) => s.serversError);
  return (
    <>
      <div className="tiles">
        {ids.map((id) => (
          <div key={id} className="tile-wrap">
            <ServerTileView id={id} />
            <div className="row tile-manage">
              <button type="button" className="quiet" data-testid={`tile-edit-${id}`} disabled={editing !== null} onClick={() => store.getState().editServer(id)}>
                Edit
              </button>
              <button type="button" className="quiet" data-testid={`remove-${id}`} onClick={() => store.getState().askRemove(id)}>
                Remove
              </button>
            </div>
          </div>
        ))}
      </div>
      {editing === 'new' && <ServerForm server={null} />}
      {server && <ServerForm key={server.id} server={server} />}
      {editing === null && state === 'live' && (
        <button type="button" data-testid="add-server" onClick={() => store.getState().editServer('new')}>
          Add a server to this webcast
        </button>
      )}
      {error && (
        <p className="note error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

export function LiveView() {
  const { store } = useServices();
  const total = useApp((s) => s.session?.tiles.length ?? 0);
  const state = useApp((s) => s.session?.state ?? 'idle');
  const counting = useApp((s) => (s.session?.countdownEndsAt ?? null) !== null);
  const onAir = useApp((s) => s.session?.onAir ?? null);
  const encoder = useApp((s) => s.session?.encoder ?? null);
  const liveCount = useApp((s) => s.session?.tiles.filter((t) => t.snapshot.state === 'live').length ?? 0);
  const error = useApp((s) => s.liveError);
  const headline = state === 'setting-up' ? (counting ? 'Going live…' : 'Checking servers…') : state === 'stopping' ? 'Stopping…' : liveHeadline(liveCount, total);
  return (
    <div className="live" data-testid="live-view">
      <div className="panel live-head">
        <div>
          <h2 data-testid="live-headline">{headline}</h2>
          {onAir && (
            <p className="muted" data-testid="on-air">
              On air: {onAirWords[onAir]}
            </p>
          )}
          {encoder && encoder.state !== 'running' && <p className="note warn">Encoder: {encoder.message}</p>}
        </div>
        <button type="button" className="danger stop-button" data-testid="stop" disabled={state !== 'live'} onClick={() => store.getState().askStop()} title="Ctrl+Shift+E">
          Stop
        </button>
      </div>
      <Countdown />
      <NetworkStrip />
      {error && (
        <p className="note error" role="alert">
          {error}
        </p>
      )}
      <LiveServers />
      <details className="panel">
        <summary>Setup results</summary>
        <SetupResults />
      </details>
      <ViewerLinks />
    </div>
  );
}
