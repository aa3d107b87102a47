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

/**
 * The profile's viewer addresses first (what an organiser hands out: a balancer, or the nodes
 * themselves), then each node's own page not listed yet; no duplicates. An address that is a node's
 * page carries the node's name; any other is a balancer.
 */
export function viewerLinks(servers: ReadonlyArray<{ label: string; controlUrl: string | null | undefined }>, viewerUrls: readonly string[] = []): ViewerLink[] {
  const nodePages = new Map<string, string>();
  for (const s of servers) {
    const url = nodeViewerUrl(s.controlUrl);
    if (url && !nodePages.has(url)) nodePages.set(url, s.label);
  }
  const balancers = viewerUrls.filter((u) => !nodePages.has(normal(u)));
  const out: ViewerLink[] = [];
  const seen = new Set<string>();
  const add = (link: ViewerLink) => {
    if (seen.has(link.url)) return;
    seen.add(link.url);
    out.push(link);
  };
  for (const raw of viewerUrls) {
    const url = normal(raw);
    const node = nodePages.get(url);
    if (node !== undefined) add({ label: node, url, kind: 'node' });
    else add({ label: balancers.length > 1 ? `Balancer ${balancers.indexOf(raw) + 1}` : 'Balancer', url: raw, kind: 'balancer' });
  }
  for (const [url, label] of nodePages) add({ label, url, kind: 'node' });
  return out;
}

/** http://host:port and http://host:port/ are one page. */
function normal(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === '/' && !u.search && !u.hash ? `${u.protocol}//${u.host}/` : url;
  } catch {
    return url;
  }
}
