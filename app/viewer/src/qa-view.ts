// The interaction region's DOM: banner, cue line, pinned question, the question form and the list.
// Built with DOM calls only; all text goes through textContent (dom.ts).
import { Emitter } from '../../../common/event.js';
import { MAX_ASKER_NAME_CHARS, MAX_QUESTION_CHARS } from '../../../common/limits.js';
import type { PublicQuestion } from '../../../common/qa.js';
import { cueText, type DueCue } from './cues.js';
import { make } from './dom.js';
import type { QaModel } from './qa-model.js';

export class QaView {
  private readonly banner = make('p', { id: 'banner', class: 'banner', hidden: '' });
  private readonly cue = make('p', { id: 'cue', class: 'cue', hidden: '', 'aria-live': 'polite' });
  private readonly pinned = make('section', { id: 'qa-pinned', class: 'qa-pinned', hidden: '' });
  private readonly text = make('textarea', { id: 'qa-text', maxlength: String(MAX_QUESTION_CHARS), rows: '3', required: '', placeholder: 'Ask a question', 'aria-label': 'Your question' });
  private readonly name = make('input', { id: 'qa-name', maxlength: String(MAX_ASKER_NAME_CHARS), placeholder: 'Name (optional)', 'aria-label': 'Your name (optional)' });
  private readonly note = make('p', { id: 'qa-note', class: 'qa-note', role: 'status' });
  /** Why nobody can ask right now (the webcast ended, or this node takes no questions). */
  private readonly closed = make('p', { id: 'qa-closed', class: 'qa-closed', hidden: '' });
  private readonly submit = make('button', { type: 'submit' }, 'Ask');
  private isClosed = false;
  private readonly list = make('ol', { id: 'qa-list', class: 'qa-list' });

  private readonly _onAsk = new Emitter<{ text: string; name: string }>();
  /** The form was submitted (the fields are cleared once the model took the question). */
  readonly onAsk = this._onAsk.event;
  private readonly _onVote = new Emitter<string>();
  readonly onVote = this._onVote.event;

  constructor(private readonly root: HTMLElement) {
    const form = make('form', { id: 'qa-form', class: 'qa-form' });
    form.append(this.closed, this.text, this.name, this.submit, this.note);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this._onAsk.fire({ text: this.text.value, name: this.name.value });
    });
    root.replaceChildren(this.banner, this.cue, this.pinned, make('h2', {}, 'Questions'), form, this.list);
    root.hidden = false;
  }

  /** The question was taken: clear the text (the name stays for the next one). */
  clearQuestion(): void {
    this.text.value = '';
  }

  setControlNode(nodeId: string | null): void {
    if (nodeId === null) delete this.root.dataset.controlNode;
    else this.root.dataset.controlNode = nodeId;
  }

  /** Closes the form with the reason shown above it, or opens it again (null). */
  setClosed(reason: string | null): void {
    this.closed.textContent = reason ?? '';
    this.closed.hidden = reason === null;
    this.isClosed = reason !== null;
    for (const c of [this.text, this.name, this.submit]) c.disabled = this.isClosed;
  }

  setBanner(text: string): void {
    this.banner.textContent = text;
    this.banner.hidden = !text;
  }

  showCue({ cue, shownAtTs }: DueCue): void {
    this.cue.textContent = cueText(cue);
    this.cue.hidden = false;
    this.cue.dataset.cueId = cue.id;
    this.cue.dataset.cueTs = String(cue.streamTimeMs);
    this.cue.dataset.shownAtTs = shownAtTs === null ? '' : String(Math.round(shownAtTs));
  }

  render(model: QaModel): void {
    this.note.textContent = model.note;
    const pin = model.pinned;
    this.pinned.replaceChildren();
    this.pinned.hidden = !pin;
    if (pin) this.pinned.append(make('h2', {}, 'Pinned'), this.question(model, pin, 'div'));
    this.list.replaceChildren(...model.unpinned.map((q) => this.question(model, q, 'li')));
  }

  private question(model: QaModel, q: PublicQuestion, tag: 'li' | 'div'): HTMLElement {
    const item = make(tag, { class: 'qa-item', 'data-id': q.id });
    if (q.pinned) item.classList.add('pinned');
    if (q.answered) item.classList.add('answered');
    item.append(make('p', { class: 'qa-text' }, q.text));
    const meta = make('p', { class: 'qa-meta' });
    meta.append(make('span', { class: 'qa-by' }, q.name ? q.name : 'Anonymous'));
    if (q.answered) meta.append(make('span', { class: 'qa-answered' }, 'Answered'));
    const vote = make('button', { type: 'button', class: 'qa-vote', 'aria-label': 'Upvote' }, `▲ ${Number(q.votes) || 0}`);
    // Closed questions take no votes either (the list stays readable).
    vote.disabled = model.hasVoted(q.id) || this.isClosed;
    vote.addEventListener('click', () => {
      vote.disabled = true;
      this._onVote.fire(q.id);
    });
    meta.append(vote);
    item.append(meta);
    return item;
  }
}
