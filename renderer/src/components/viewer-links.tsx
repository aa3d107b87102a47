// Where viewers watch, with a copy button each: the balancer from the cluster profile (if it names
// one), then every Tandem node's own viewer page. Shown in the setup and live views.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { viewerLinks } from '../../../common/viewer-links.js';
import { useApp } from '../app-context.js';

export function ViewerLinks() {
  const servers = useApp((s) => s.servers);
  const viewerUrls = useApp(useShallow((s) => s.profile?.viewerUrls ?? []));
  const [copied, setCopied] = useState<string | null>(null);
  const links = viewerLinks(servers, viewerUrls);
  return (
    <div className="panel viewer-links" data-testid="viewer-links">
      <h2>Viewer links</h2>
      {links.length === 0 ? (
        <p className="muted">No viewer page yet: a Tandem node's control URL (or a cluster profile) gives one. Plain RTMP servers have their own players.</p>
      ) : (
        <ul>
          {links.map((l) => (
            <li key={l.url} className="row">
              <span className="link-label">{l.label}</span>
              <a className="mono" href={l.url} target="_blank" rel="noreferrer noopener" data-testid="viewer-link">
                {l.url}
              </a>
              <button
                type="button"
                className="quiet"
                value={l.url}
                data-testid="copy-viewer-link"
                onClick={() => {
                  void navigator.clipboard?.writeText(l.url).then(
                    () => {
                      setCopied(l.url);
                      // "Copied" is news for a moment, then the button is a button again.
                      setTimeout(() => setCopied((c) => (c === l.url ? null : c)), 3000);
                    },
                    () => setCopied(null),
                  );
                }}
              >
                {copied === l.url ? 'Copied' : 'Copy'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
