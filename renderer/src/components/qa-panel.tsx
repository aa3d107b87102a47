// Q&A and what viewers see. Questions come merged from every Tandem node (sorted by votes or time,
// pinned first) with approve / dismiss / answered / pin, the pre-moderation switch and export; below,
// the banner text and slide title (shared objects) and the slide cue. Every piece of viewer text is
// rendered as React text, never as HTML.
import { memo, useMemo, useState } from 'react';
import type { QaAction } from '../../../common/ipc-contract.js';
import { MAX_SO_TEXT_CHARS } from '../../../common/limits.js';
import { useApp, useServices } from '../app-context.js';
import { type QaQuestion, sortQuestions } from '../store/qa-slice.js';

const statusWords: Record<QaQuestion['status'], string> = {
  pending: 'Waiting for approval',
  approved: 'Shown to viewers',
  dismissed: 'Dismissed',
  answered: 'Answered',
};

function download(filename: string, mimeType: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mimeType};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Memoized: the store keeps unchanged questions as the same objects, so only changed rows render. */
const QuestionItem = memo(function QuestionItem({ q, enabled }: { q: QaQuestion; enabled: boolean }) {
  const { store } = useServices();
  const act = (action: QaAction) => void store.getState().moderate(q.id, action);
  const button = (action: QaAction, label: string, show: boolean) =>
    show && (
      <button type="button" className="small" data-testid={`qa-${action}`} disabled={!enabled} onClick={() => act(action)}>
        {label}
      </button>
    );
  return (
    <li className={`question status-${q.status}${q.pinned ? ' pinned' : ''}`} data-testid={`qa-q-${q.id}`} data-status={q.status} data-pinned={q.pinned ? 'yes' : 'no'}>
      <p className="q-text">
        <span className="votes" title="Votes">
          {q.votes}
        </span>
        {q.text}
      </p>
      <p className="q-meta muted">
        {q.author ?? 'Anonymous'} · {statusWords[q.status]}
        {q.pinned ? ' · Pinned' : ''}
      </p>
      <div className="q-actions">
        {button('approve', 'Approve', q.status === 'pending' || q.status === 'dismissed')}
        {button('answered', 'Answered', q.status !== 'answered' && q.status !== 'dismissed')}
        {button('pin', 'Pin', !q.pinned && q.status !== 'dismissed')}
        {button('unpin', 'Unpin', q.pinned)}
        {button('dismiss', 'Dismiss', q.status !== 'dismissed')}
      </div>
    </li>
  );
});

function SharedControls({ enabled }: { enabled: boolean }) {
  const { store } = useServices();
  const [banner, setBanner] = useState('');
  const [slide, setSlide] = useState('');
  const lastCue = useApp((s) => s.lastCue);
  const showingBanner = useApp((s) => s.qa?.banner ?? '');
  const showingSlide = useApp((s) => s.qa?.slideTitle ?? '');
  return (
    <div className="shared" data-testid="shared-controls">
      <h3>What viewers see</h3>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void store.getState().setShared('banner', 'title', banner.trim());
        }}
      >
        <input data-testid="banner-input" aria-label="Banner text" maxLength={MAX_SO_TEXT_CHARS} placeholder="Banner text" value={banner} onChange={(e) => setBanner(e.target.value)} disabled={!enabled} />
        <button type="submit" data-testid="banner-set" disabled={!enabled}>
          Show
        </button>
      </form>
      <p className="muted small-note" data-testid="banner-now">
        Banner now: {showingBanner || 'none'}
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void store.getState().setShared('slide', 'title', slide.trim());
        }}
      >
        <input data-testid="slide-input" aria-label="Slide title" maxLength={200} placeholder="Slide title" value={slide} onChange={(e) => setSlide(e.target.value)} disabled={!enabled} />
        <button type="submit" data-testid="slide-set" disabled={!enabled}>
          Set
        </button>
        <button
          type="button"
          data-testid="cue-send"
          disabled={!enabled || !slide.trim()}
          title="Viewers see it when their playback reaches this moment"
          onClick={() => void store.getState().sendCue('slide', { title: slide.trim() })}
        >
          Cue
        </button>
      </form>
      <p className="muted small-note" data-testid="slide-now">
        Slide title now: {showingSlide || 'none'}
      </p>
      {lastCue && (
        <p className="muted" data-testid="cue-sent">
          Cue sent ({lastCue.name}).
        </p>
      )}
    </div>
  );
}

export function QaPanel() {
  const { store } = useServices();
  const available = useApp((s) => s.qa?.available ?? false);
  const message = useApp((s) => s.qa?.message ?? '');
  const preModeration = useApp((s) => s.qa?.preModeration ?? false);
  const sort = useApp((s) => s.qaSort);
  const error = useApp((s) => s.qaError);
  const list = useApp((s) => s.qa?.questions);
  // Sorted once per pushed list or sort change, not on every store update.
  const questions = useMemo(() => sortQuestions(list ?? [], sort), [list, sort]);
  const pending = questions.filter((q) => q.status === 'pending').length;
  const previousExportable = useApp((s) => s.qa?.previousExportable ?? false);
  const exportAs = async (format: 'csv' | 'json', webcast: 'current' | 'previous' = 'current') => {
    const file = await store.getState().exportQa(format, webcast);
    if (file) download(file.filename, file.mimeType, file.text);
  };
  return (
    <div className="panel qa" data-testid="qa-panel" data-available={available ? 'yes' : 'no'}>
      <div className="panel-head">
        <h2>Q&amp;A{pending > 0 ? ` (${pending} waiting)` : ''}</h2>
        {questions.length > 0 && (
          <select value={sort} onChange={(e) => store.getState().setQaSort(e.target.value === 'time' ? 'time' : 'votes')} aria-label="Sort questions" data-testid="qa-sort">
            <option value="votes">Most votes</option>
            <option value="time">Newest</option>
          </select>
        )}
      </div>
      <label className="check">
        <input type="checkbox" data-testid="qa-premoderation" checked={preModeration} onChange={(e) => void store.getState().setPremoderation(e.target.checked)} />
        <span>Approve questions before viewers see them</span>
      </label>
      {!available && questions.length === 0 ? (
        <div className="empty" data-testid="qa-empty">
          <p>{message || "Q&A appears when your servers run Tandem's control plane."}</p>
        </div>
      ) : (
        <>
          <p className="muted" data-testid="qa-status">
            {message}
          </p>
          {questions.length === 0 ? (
            <div className="empty">
              <p>No questions yet.</p>
            </div>
          ) : (
            <ul className="questions" data-testid="qa-list">
              {questions.map((q) => (
                <QuestionItem key={q.id} q={q} enabled={available} />
              ))}
            </ul>
          )}
          <div className="row">
            <button type="button" data-testid="qa-export-csv" disabled={questions.length === 0} onClick={() => void exportAs('csv')}>
              Export CSV
            </button>
            <button type="button" data-testid="qa-export-json" disabled={questions.length === 0} onClick={() => void exportAs('json')}>
              Export JSON
            </button>
          </div>
          {previousExportable && (
            <div className="row" data-testid="qa-previous">
              <span className="muted">The last webcast&apos;s questions were set aside when this one began.</span>
              <button type="button" data-testid="qa-export-previous-csv" onClick={() => void exportAs('csv', 'previous')}>
                Export last webcast (CSV)
              </button>
            </div>
          )}
        </>
      )}
      {error && (
        <p className="note error" role="alert" data-testid="qa-error">
          {error}
        </p>
      )}
      <SharedControls enabled={available} />
    </div>
  );
}
