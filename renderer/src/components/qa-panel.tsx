// Q&A. Until the servers run Tandem's control plane this is an honest empty state; the list below
// renders what the host reports once it does (sorted by votes or time, pinned first).
import { useShallow } from 'zustand/react/shallow';
import { useApp, useServices } from '../app-context.js';
import { sortQuestions } from '../store/qa-slice.js';

export function QaPanel() {
  const { store } = useServices();
  const qa = useApp((s) => s.qa);
  const sort = useApp((s) => s.qaSort);
  const questions = useApp(useShallow((s) => sortQuestions(s.qa?.questions ?? [], s.qaSort)));
  return (
    <div className="panel qa" data-testid="qa-panel">
      <div className="panel-head">
        <h2>Q&amp;A</h2>
        {qa?.available && (
          <select value={sort} onChange={(e) => store.getState().setQaSort(e.target.value === 'time' ? 'time' : 'votes')} aria-label="Sort questions">
            <option value="votes">Most votes</option>
            <option value="time">Newest</option>
          </select>
        )}
      </div>
      {!qa?.available ? (
        <div className="empty" data-testid="qa-empty">
          <p>{qa?.message ?? "Q&A appears when your servers run Tandem's control plane."}</p>
          <p className="muted">Questions, moderation, pinning, shared banner and slide title, and cues will show here.</p>
        </div>
      ) : questions.length === 0 ? (
        <div className="empty">
          <p>No questions yet.</p>
        </div>
      ) : (
        <ul className="questions">
          {questions.map((q) => (
            <li key={q.id} className={q.pinned ? 'pinned' : ''}>
              <span className="votes">{q.votes}</span> {q.text}
              {q.author && <span className="muted"> — {q.author}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
