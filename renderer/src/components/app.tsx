// The app frame: header with the brand, the setup or live view, devices and Q&A beside it,
// keyboard shortcuts, and the Stop confirmation.
import { useEffect } from 'react';
import { useApp, useServices } from '../app-context.js';
import { ConfirmRemove } from './confirm-remove.js';
import { ConfirmStop } from './confirm-stop.js';
import { DevicesPanel } from './devices-panel.js';
import { Header } from './header.js';
import { LiveView } from './live-view.js';
import { QaPanel } from './qa-panel.js';
import { RecordingSaved } from './recording-saved.js';
import { SetupView } from './setup-view.js';

function useShortcuts(): void {
  const { store, live } = useServices();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.shiftKey && e.key.toLowerCase() === 'l') {
        e.preventDefault();
        void live.goLive();
      } else if (mod && e.shiftKey && e.key.toLowerCase() === 'e') {
        e.preventDefault();
        store.getState().askStop();
      } else if (e.key === 'Escape') {
        store.getState().cancelStop();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, live]);
}

function useBrandColours(): void {
  const brand = useApp((s) => s.profile?.brand);
  useEffect(() => {
    if (!brand) return;
    const root = document.documentElement;
    for (const [k, v] of Object.entries(brand.colors ?? {})) if (v) root.style.setProperty(`--${k}`, v);
  }, [brand]);
}

/** A favicon that shows the live state at a glance in the tab strip: red dot live, grey idle. */
function faviconFor(live: boolean): string {
  const fill = live ? '#dc2626' : '#64748b';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${fill}"/>${live ? '<circle cx="8" cy="8" r="3" fill="#fff"/>' : ''}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** The tab's title and icon: "Tandem" (or "Acme — Tandem"), with "● Live" in front while live. */
function useTabState(): void {
  const name = useApp((s) => s.profile?.brand.name ?? 'Tandem');
  const live = useApp((s) => s.session?.state === 'live');
  useEffect(() => {
    const base = name === 'Tandem' ? 'Tandem' : `${name} — Tandem`;
    document.title = live ? `● Live — ${base}` : base;
    let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (!link) {
      link = document.createElement('link');
      link.rel = 'icon';
      document.head.appendChild(link);
    }
    link.href = faviconFor(live);
    link.dataset.live = String(live);
  }, [name, live]);
}

export function App() {
  const state = useApp((s) => s.session?.state ?? 'idle');
  const confirming = useApp((s) => s.confirmingStop);
  useShortcuts();
  useBrandColours();
  useTabState();
  return (
    <div className="app" data-session={state}>
      <Header />
      <main className="layout">
        <section className="main-col">
          <RecordingSaved />
          {state === 'idle' ? <SetupView /> : <LiveView />}
        </section>
        <aside className="side-col">
          <DevicesPanel />
          <QaPanel />
        </aside>
      </main>
      {confirming && <ConfirmStop />}
      <ConfirmRemove />
    </div>
  );
}
