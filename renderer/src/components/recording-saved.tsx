// After Stop: the webcast's local recording, "Recording saved: Tandem 2026-12-02 16-50-07.mkv —
// 1.2 GB, 42:10", with its folder, until the next Go Live. A recording a full disk ended early
// says so here too (the webcast went on).
import { fileName, recordingSavedWords } from '../../../common/uplink-board.js';
import { useApp } from '../app-context.js';

export function RecordingSaved() {
  const recording = useApp((s) => (s.session?.state === 'idle' ? (s.session.recording ?? null) : null));
  if (!recording) return null;
  const file = recording.files.at(-1);
  const folder = file ? file.slice(0, file.length - fileName(file).length).replace(/[\\/]$/, '') : null;
  const tone = recording.warning ? 'warn' : recording.state === 'recording' ? 'muted' : 'ok';
  return (
    <div className={`panel recording-saved note ${tone}`} role="status" data-testid="recording-saved" data-state={recording.state} data-file={file ?? ''}>
      <strong data-testid="recording-saved-text">{recording.state === 'recording' ? 'Finishing the recording…' : recordingSavedWords(recording)}</strong>
      {folder && <p className="muted">In {folder}</p>}
    </div>
  );
}
