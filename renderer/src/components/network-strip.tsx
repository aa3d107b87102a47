// While live: the network strip (issue #12) — what the upload carries against what the servers
// need, the quality step ("Full quality" or "Reduced for your connection: 1.5 Mb/s of 2.5"), the
// servers paused because the upload cannot carry them all, and the local recording's line. The
// sentences are common/uplink-board.ts's; the numbers come with the session view.
import { recordingLine, uplinkNotes, uplinkStepWords, uplinkUsageWords } from '../../../common/uplink-board.js';
import { useApp } from '../app-context.js';

export function NetworkStrip() {
  const uplink = useApp((s) => s.session?.uplink ?? null);
  const recording = useApp((s) => s.session?.recording ?? null);
  if (!uplink && !recording) return null;
  const reduced = uplink !== null && uplink.step > 0;
  const notes = uplink ? uplinkNotes(uplink) : [];
  return (
    <div className={`panel network-strip${reduced ? ' reduced' : ''}`} data-testid="network-strip" data-step={uplink?.step ?? ''} data-verdict={uplink?.verdict ?? ''}>
      {uplink && (
        <div className="row strip-line">
          <span className={`badge tone-${reduced || uplink.paused.length > 0 ? 'warn' : 'ok'}`} data-testid="uplink-step">
            {uplinkStepWords(uplink)}
          </span>
          <span className="muted" data-testid="uplink-usage">
            {uplinkUsageWords(uplink)}
          </span>
        </div>
      )}
      {notes.length > 0 && (
        <ul className="strip-notes" data-testid="uplink-notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {recording && (
        <p className={`strip-recording${recording.state === 'failed' ? ' note warn' : ' muted'}`} data-testid="recording-line" data-state={recording.state}>
          {recordingLine(recording)}
        </p>
      )}
    </div>
  );
}
