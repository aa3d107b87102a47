// One server while live: its state and reason in words, a bitrate sparkline, what the server says
// it receives (a Tandem node's own view: the stream's bitrate, fps, keyframe age), uptime,
// reconnects and viewers, and a warning when the node receives nothing while we are live.
import type { ServerTile } from '../../../common/ipc-contract.js';
import { useApp } from '../app-context.js';
import { formatBitrate, formatDuration, receiveWarning, receiveWords, stateWords } from '../format.js';
import { Sparkline } from './sparkline.js';

function controlWords(c: ServerTile['snapshot']['control']): string {
  if (!c) return 'Control: not known yet';
  if (c.state === 'none') return 'No control session (plain RTMP server): no Q&A, banner or cues here';
  if (c.state === 'connected') return 'Control: connected (Q&A, banner, cues)';
  return `Control: ${c.message}`;
}

export function ServerTileView({ id }: { id: string }) {
  const tile = useApp((s) => s.session?.tiles.find((t) => t.snapshot.id === id) ?? null);
  const history = useApp((s) => s.history.get(id));
  if (!tile) return null;
  const { snapshot: snap } = tile;
  const warning = receiveWarning(tile, snap.state === 'live', snap.metrics.uptimeMs);
  const receiving = warning ? 'warn' : tile.reportedBy === null ? 'unknown' : 'ok';
  return (
    <article className={`tile state-${snap.state}${warning ? ' receive-warn' : ''}`} data-testid={`tile-${id}`} data-state={snap.state} data-reason={snap.reason ?? ''} data-receiving={receiving}>
      <header>
        <h3>{snap.label}</h3>
        <span className={`badge state-${snap.state}`}>{stateWords[snap.state] ?? snap.state}</span>
      </header>
      <p className="tile-message" data-testid={`tile-message-${id}`}>
        {snap.message}
      </p>
      <p className={`tile-control muted control-${snap.control?.state ?? 'unknown'}`} data-testid={`control-${id}`} data-control-state={snap.control?.state ?? ''}>
        {controlWords(snap.control)}
      </p>
      {warning ? (
        <p className="tile-warning" role="status" data-testid={`receive-warning-${id}`}>
          {warning}
        </p>
      ) : null}
      <Sparkline values={history ?? []} />
      <dl className="stats">
        <div>
          <dt>Sending</dt>
          <dd>{formatBitrate(snap.metrics.bitrateBps)}</dd>
        </div>
        <div>
          <dt>Server receives</dt>
          <dd data-testid={`receives-${id}`} title={tile.reportedBy === 'metrics' ? 'All bytes this server receives (no control session, so not per stream)' : undefined}>
            {receiveWords(tile)}
          </dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd>{snap.state === 'live' ? formatDuration(snap.metrics.uptimeMs) : '—'}</dd>
        </div>
        <div>
          <dt>Reconnects</dt>
          <dd data-testid={`reconnects-${id}`}>{snap.metrics.reconnects}</dd>
        </div>
        <div>
          <dt>Viewers</dt>
          <dd data-testid={`viewers-${id}`}>{tile.viewers === null ? 'not reported' : tile.viewers}</dd>
        </div>
      </dl>
    </article>
  );
}
