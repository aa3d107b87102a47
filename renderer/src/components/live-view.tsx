// While live: one tile per server, the setup results, what is on air, and Stop.
import { useShallow } from 'zustand/react/shallow';
import { useApp, useServices } from '../app-context.js';
import { SetupResults } from './go-live-panel.js';
import { ServerTileView } from './server-tile.js';

const onAirWords: Record<string, string> = {
  capture: 'Your camera and microphone',
  'test-pattern': 'The test pattern',
  slate: 'The slate (your capture is away; it resumes by itself)',
};

export function LiveView() {
  const { store } = useServices();
  const ids = useApp(useShallow((s) => s.session?.tiles.map((t) => t.snapshot.id) ?? []));
  const state = useApp((s) => s.session?.state ?? 'idle');
  const onAir = useApp((s) => s.session?.onAir ?? null);
  const encoder = useApp((s) => s.session?.encoder ?? null);
  const liveCount = useApp((s) => s.session?.tiles.filter((t) => t.snapshot.state === 'live').length ?? 0);
  const error = useApp((s) => s.liveError);
  return (
    <div className="live" data-testid="live-view">
      <div className="panel live-head">
        <div>
          <h2>{state === 'setting-up' ? 'Checking servers…' : state === 'stopping' ? 'Stopping…' : `Live on ${liveCount} of ${ids.length} servers`}</h2>
          {onAir && <p className="muted" data-testid="on-air">On air: {onAirWords[onAir]}</p>}
          {encoder && encoder.state !== 'running' && <p className="note warn">Encoder: {encoder.message}</p>}
        </div>
        <button type="button" className="danger stop-button" data-testid="stop" disabled={state !== 'live'} onClick={() => store.getState().askStop()} title="Ctrl+Shift+E">
          Stop
        </button>
      </div>
      {error && <p className="note error" role="alert">{error}</p>}
      <div className="tiles">
        {ids.map((id) => (
          <ServerTileView key={id} id={id} />
        ))}
      </div>
      <details className="panel">
        <summary>Setup results</summary>
        <SetupResults />
      </details>
    </div>
  );
}
