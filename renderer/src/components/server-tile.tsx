// One server while live, read like a status board: one state word, the reason in a sentence,
// Retry and Edit when the engine stopped trying (a refused key), the bitrate sparkline with its
// scale, what the server itself says it receives, uptime, reconnects and viewers. While the server
// is not live its figures are a dash with since when, never the last numbers it had.
import { boardEntry } from '../../../common/server-board.js';
import type { ServerTile, ServerView } from '../../../common/ipc-contract.js';
import { useApp, useServices } from '../app-context.js';
import { queueWords } from '../../../common/uplink-board.js';
import { formatBitrate, formatDuration, receiveWarning, receiveWords } from '../format.js';
import { Sparkline } from './sparkline.js';

const NO_CONTROL_HERE = 'no Q&A, banner or cues here';

/** What the server is to the control plane, in words; never a raw close code. */
export function controlWords(c: ServerTile['snapshot']['control'], server: ServerView | undefined): string {
  if (!c || c.state === 'none') {
    if (server?.controlUrl && !server.hasToken) return `Tandem node — no presenter token: ${NO_CONTROL_HERE}`;
    if (server?.controlUrl) return `Tandem node — no control session: ${NO_CONTROL_HERE}`;
    return `Plain RTMP server: ${NO_CONTROL_HERE}`;
  }
  if (c.state === 'connected') return 'Control: connected (Q&A, banner, cues)';
  if (c.state === 'connecting') return 'Control: connecting…';
  if (c.state === 'reconnecting') return 'Control: lost, reconnecting…';
  return 'Control: failed (check the control URL and presenter token)';
}

const SENDING_TIP = 'What Tandem hands to the network for this server, measured here.';
const QUEUE_TIP = 'How far behind this server is: media waiting here or not yet acknowledged by the server. It grows when your upload cannot keep up.';
const RECEIVES_TIP = "What the server says it receives of your stream (a Tandem node's own figure). Lower than Sending means bytes are stuck on the way.";

export function ServerTileView({ id }: { id: string }) {
  const { store } = useServices();
  const tile = useApp((s) => s.session?.tiles.find((t) => t.snapshot.id === id) ?? null);
  const setup = useApp((s) => s.session?.setup?.servers.find((r) => r.id === id));
  const server = useApp((s) => s.servers.find((x) => x.id === id));
  const history = useApp((s) => s.history.get(id));
  const startedAt = useApp((s) => s.session?.startedAt ?? null);
  const editing = useApp((s) => s.editing);
  if (!tile) return null;
  const { snapshot: snap } = tile;
  const entry = boardEntry(setup, snap);
  const live = snap.state === 'live';
  const warning = receiveWarning(tile, live, snap.metrics.uptimeMs);
  const receiving = warning ? 'warn' : tile.reportedBy === null ? 'unknown' : 'ok';
  // "since 00:12" on the webcast's clock (the header's): when this server stopped being live.
  const since = startedAt !== null ? `since ${formatDuration(Math.max(0, snap.since - startedAt))}` : '';
  const dash = (
    <span className="dash" title={since ? `Not live ${since}` : 'Not live'}>
      — <span className="muted">{since}</span>
    </span>
  );
  const peak = Math.max(0, ...(history ?? []));
  return (
    <article
      className={`tile tone-${entry.tone}${warning ? ' receive-warn' : ''}`}
      data-testid={`tile-${id}`}
      data-state={snap.state}
      data-word={entry.word}
      data-reason={snap.reason ?? ''}
      data-receiving={receiving}
    >
      <header>
        <h3>{snap.label}</h3>
        <span className={`badge tone-${entry.tone}`} data-testid={`tile-word-${id}`}>
          {entry.word}
        </span>
      </header>
      <p className="tile-message" data-testid={`tile-message-${id}`}>
        {entry.sentence || (live ? 'The server accepted the stream.' : '')}
      </p>
      {entry.needsPresenter && (
        <div className="row tile-actions">
          <button type="button" className="primary" data-testid={`retry-${id}`} onClick={() => void store.getState().retryServer(id)}>
            Retry
          </button>
          <button type="button" data-testid={`edit-${id}`} disabled={editing !== null || !server} onClick={() => store.getState().editServer(id)}>
            Edit
          </button>
        </div>
      )}
      <p className={`tile-control muted control-${snap.control?.state ?? 'unknown'}`} data-testid={`control-${id}`} data-control-state={snap.control?.state ?? ''}>
        {controlWords(snap.control, server)}
      </p>
      {warning ? (
        <p className="tile-warning" role="status" data-testid={`receive-warning-${id}`}>
          {warning}
        </p>
      ) : null}
      <div className="spark">
        <Sparkline values={history ?? []} />
        <span className="spark-scale muted" data-testid={`spark-scale-${id}`}>
          {history && history.length > 1 ? `last ${history.length} s · peak ${formatBitrate(peak)}` : 'bitrate over the last minute'}
        </span>
      </div>
      <dl className="stats">
        <div>
          <dt title={SENDING_TIP}>Sending</dt>
          <dd data-testid={`sending-${id}`}>{live ? formatBitrate(snap.metrics.bitrateBps) : dash}</dd>
          {live && (
            <dd className="muted queue" data-testid={`queue-${id}`} title={QUEUE_TIP}>
              {queueWords((snap.metrics.queueAgeMs ?? 0) + (snap.metrics.lagMs ?? 0))}
            </dd>
          )}
        </div>
        <div>
          <dt title={RECEIVES_TIP}>Server receives</dt>
          <dd data-testid={`receives-${id}`} title={tile.reportedBy === 'metrics' ? 'All bytes this server receives (no control session, so not per stream)' : undefined}>
            {live ? receiveWords(tile) : dash}
          </dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd data-testid={`uptime-${id}`}>{live ? formatDuration(snap.metrics.uptimeMs) : dash}</dd>
        </div>
        <div>
          <dt>Reconnects</dt>
          <dd data-testid={`reconnects-${id}`}>{snap.metrics.reconnects}</dd>
        </div>
        <div>
          <dt>Viewers</dt>
          <dd data-testid={`viewers-${id}`}>{!live ? dash : tile.viewers === null ? 'not reported' : tile.viewers}</dd>
        </div>
      </dl>
    </article>
  );
}
