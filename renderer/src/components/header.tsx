// The header: brand logo and name, the profile's name, elapsed time while live, the connection.
import { useEffect, useState } from 'react';
import { useApp } from '../app-context.js';
import { formatDuration } from '../format.js';

export function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return <span className="elapsed" data-testid="elapsed">{formatDuration(now - since)}</span>;
}

export function Header() {
  const brand = useApp((s) => s.profile?.brand);
  const profileName = useApp((s) => s.profile?.name ?? null);
  const startedAt = useApp((s) => s.session?.startedAt ?? null);
  const state = useApp((s) => s.session?.state ?? 'idle');
  const connected = useApp((s) => s.connected);
  const demo = useApp((s) => s.appInfo?.demo ?? false);
  return (
    <header className="header">
      <div className="brand">
        {brand?.logo && <img className="logo" src={brand.logo} alt="" />}
        <div>
          <div className="brand-name" data-testid="brand-name">{brand?.name ?? 'Tandem'}</div>
          {brand?.tagline && <div className="tagline">{brand.tagline}</div>}
        </div>
      </div>
      <div className="header-status">
        {profileName && <span className="profile-name">{profileName}{demo ? ' (demo)' : ''}</span>}
        {!connected && <span className="badge warn" role="status">Reconnecting to the engine…</span>}
        {state === 'live' && startedAt !== null && (
          <span className="on-air" role="status">
            <span className="dot" /> On air <Elapsed since={startedAt} />
          </span>
        )}
      </div>
    </header>
  );
}
