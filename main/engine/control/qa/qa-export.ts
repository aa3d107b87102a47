// The merged Q&A as a file for the presenter: CSV (safe to open in a spreadsheet) or JSON.
import { ordered, type QaState } from './qa-state.js';

function csvCell(v: string | number): string {
  const t = String(v);
  // A leading = + - @ would run as a formula in a spreadsheet: prefix a quote.
  const safe = /^[=+\-@\t\r]/.test(t) ? `'${t}` : t;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function exportCsv(s: QaState): string {
  const rows = [['id', 'asked_at', 'name', 'text', 'votes', 'status', 'pinned', 'nodes']];
  for (const q of ordered(s)) {
    rows.push([q.id, new Date(q.askedAt).toISOString(), q.name ?? '', q.text, String(q.votes), q.status, q.id === s.pinnedId ? 'yes' : 'no', q.nodes.join(' ')]);
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function exportJson(s: QaState): string {
  return JSON.stringify({ preModeration: s.preModeration, pinnedId: s.pinnedId, questions: ordered(s) }, null, 2);
}
