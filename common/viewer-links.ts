// Where viewers watch: every Tandem node serves its viewer page at its own address (the control
// URL's origin), and a cluster profile may name a balancer in front of them (`viewerUrls`). The
// studio's setup and live views and `tandem studio`'s printout list the same links, from here.

export interface ViewerLink {
  /** "Balancer" or the server's name. */
  label: string;
  url: string;
  kind: 'balancer' | 'node';
}

/** A node's viewer page from its control URL (http[s]://host:port, or ws[s]://host:port/control); null if none. */
export function nodeViewerUrl(controlUrl: string | null | undefined): string | null {
  if (!controlUrl) return null;
  try {
    const u = new URL(controlUrl);
    const scheme = u.protocol === 'wss:' || u.protocol === 'https:' ? 'https:' : u.protocol === 'ws:' || u.protocol === 'http:' ? 'http:' : null;
    return scheme ? `${scheme}//${u.host}/` : null;
  } catch {
    return null;
  }
}

/** The balancer's addresses first (what an organiser hands out), then each node's own page; no duplicates. */
export function viewerLinks(servers: ReadonlyArray<{ label: string; controlUrl: string | null | undefined }>, viewerUrls: readonly string[] = []): ViewerLink[] {
  const out: ViewerLink[] = [];
  const seen = new Set<string>();
  for (const url of viewerUrls) {
    if (seen.has(url)) continue;
    seen.add(url);
    out.push({ label: viewerUrls.length > 1 ? `Balancer ${out.length + 1}` : 'Balancer', url, kind: 'balancer' });
  }
  for (const s of servers) {
    const url = nodeViewerUrl(s.controlUrl);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    out.push({ label: s.label, url, kind: 'node' });
  }
  return out;
}
