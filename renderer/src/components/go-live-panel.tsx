// Go Live, Test servers and the countdown switch. The setup results are the status board's own
// entries (common/server-board.ts): the check says "Reachable", and only the tiles' "Live" after
// the server accepted the publish; the results go when the webcast ends.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { COUNTDOWN_MS, type UploadCheck } from '../../../common/ipc-contract.js';
import { boardEntries } from '../../../common/server-board.js';
import { useApp, useServices } from '../app-context.js';

const UPLOAD_TONE: Record<UploadCheck['kind'], string> = { enough: 'ok', reduce: 'warn', pause: 'warn', short: 'error', unknown: 'warn' };

/** Test servers' upload check under the results: the verdict in the engine's words, then each server's figure. */
function UploadResults({ labels }: { labels: ReadonlyMap<string, string> }) {
  const upload = useApp((s) => s.testUpload);
  const testing = useApp((s) => s.testing);
  if (!upload) return testing ? <p className="muted" data-testid="upload-measuring">Measuring your upload: a few seconds of data to every Tandem node at once…</p> : null;
  return (
    <div className="upload-check" data-testid="upload-check">
      <p className={`note ${UPLOAD_TONE[upload.kind]}`} data-testid="upload-verdict" data-kind={upload.kind}>
        {upload.verdict}
      </p>
      <ul>
        {upload.servers.map((s) => (
          <li key={s.id} data-testid={`upload-${s.id}`}>
            <span className="muted">Upload to</span> <strong>{labels.get(s.id) ?? s.id}</strong>: <span className="muted">{s.sentence}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function SetupResults() {
  const last = useApp((s) => s.lastGoLive);
  const testMessage = useApp((s) => s.testMessage);
  const setup = useApp((s) => s.session?.setup ?? null);
  const tiles = useApp(useShallow((s) => s.session?.tiles.map((t) => t.snapshot) ?? []));
  if (!setup) return null;
  const entries = boardEntries(setup.servers, tiles);
  const message = last && !last.live ? last.message : testMessage;
  const ok = entries.every((e) => e.tone === 'ok');
  return (
    <div className="setup-results" data-testid="setup-results">
      {message && <p className={last && !last.live ? 'note error' : ok ? 'note ok' : 'note warn'}>{message}</p>}
      <ul>
        {entries.map((e) => {
          const check = setup.servers.find((r) => r.id === e.id);
          return (
            <li key={e.id} data-testid={`result-${e.id}`} data-word={e.word}>
              <span className={`badge tone-${e.tone}`}>{e.word}</span> <strong>{e.label}</strong> <span className="muted">{e.sentence}</span>
              {check && <span className="muted"> (checked in {check.elapsedMs} ms)</span>}
            </li>
          );
        })}
      </ul>
      {!last && <UploadResults labels={new Map(entries.map((e) => [e.id, e.label]))} />}
    </div>
  );
}

/** The big 3-2-1 while the countdown runs (the viewers see the same one). */
export function Countdown() {
  const endsAt = useApp((s) => s.session?.countdownEndsAt ?? null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (endsAt === null) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, [endsAt]);
  if (endsAt === null) return null;
  const left = Math.min(Math.ceil(COUNTDOWN_MS / 1000), Math.max(1, Math.ceil((endsAt - now) / 1000)));
  return (
    <div className="countdown" role="status" data-testid="countdown">
      <span className="countdown-number">{left}</span>
      <span className="muted">Viewers see this countdown too</span>
    </div>
  );
}

export function GoLivePanel() {
  const { live, store } = useServices();
  const count = useApp((s) => s.servers.length);
  const busy = useApp((s) => s.busy);
  const testing = useApp((s) => s.testing);
  const state = useApp((s) => s.session?.state ?? 'idle');
  const error = useApp((s) => s.liveError);
  const testPattern = useApp((s) => s.useTestPattern);
  const countdown = useApp((s) => s.countdown);
  const continueQa = useApp((s) => s.continueQa);
  const settings = useApp((s) => s.settings);
  const n = count === 1 ? 'the server' : count === 2 ? 'both servers' : `all ${count} servers`;
  return (
    <div className="panel go-live">
      <div className="row">
        <button
          type="button"
          className="go-live-button"
          data-testid="go-live"
          disabled={count === 0 || busy || testing || state !== 'idle'}
          onClick={() => void live.goLive()}
          title="Ctrl+Shift+L"
        >
          {state === 'setting-up' || busy ? 'Checking servers…' : 'Go Live'}
        </button>
        <button type="button" data-testid="test-servers" disabled={count === 0 || busy || testing || state !== 'idle'} onClick={() => void store.getState().testServers()}>
          {testing ? 'Testing…' : 'Test servers'}
        </button>
        <label className="switch">
          <input type="checkbox" data-testid="countdown-switch" checked={countdown} onChange={(e) => store.getState().setCountdown(e.currentTarget.checked)} /> 3-2-1
          countdown (viewers see it too)
        </label>
        <label className="switch" title="Off: every node starts a fresh Q&A and keeps the last one in its archive">
          <input type="checkbox" data-testid="continue-qa" checked={continueQa} onChange={(e) => store.getState().setContinueQa(e.currentTarget.checked)} /> Continue the last Q&A
        </label>
        {settings?.recordingsDir && (
          <label className="switch" title={`Full quality, as the webcast runs, into ${settings.recordingsDir}`}>
            <input type="checkbox" data-testid="recording-switch" checked={settings.recording} onChange={(e) => void store.getState().setRecording(e.currentTarget.checked)} /> Record on
            this computer
          </label>
        )}
      </div>
      <p className="muted">
        {count === 0
          ? 'Add a server to go live.'
          : `Checks that ${n} answer (3 s), then goes live on every one that does${testPattern ? ', with the test pattern' : ''}; each says Live once it accepts your stream key. Ctrl+Shift+L`}
      </p>
      {error && (
        <p className="note error" role="alert">
          {error}
        </p>
      )}
      <SetupResults />
    </div>
  );
}
