// The app frame: header with the brand, the setup or live view, devices and Q&A beside it,
// keyboard shortcuts, and the Stop confirmation.
import { useEffect } from 'react';
import { useApp, useServices } from '../app-context.js';
import { ConfirmStop } from './confirm-stop.js';
import { DevicesPanel } from './devices-panel.js';
import { Header } from './header.js';
import { LiveView } from './live-view.js';
import { QaPanel } from './qa-panel.js';
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
    document.title = `${brand.name} — Tandem`;
  }, [brand]);
}

export function App() {
  const state = useApp((s) => s.session?.state ?? 'idle');
  const confirming = useApp((s) => s.confirmingStop);
  useShortcuts();
  useBrandColours();
  return (
    <div className="app" data-session={state}>
      <Header />
      <main className="layout">
        <section className="main-col">{state === 'idle' ? <SetupView /> : <LiveView />}</section>
        <aside className="side-col">
          <DevicesPanel />
          <QaPanel />
        </aside>
      </main>
      {confirming && <ConfirmStop />}
    </div>
  );
}
