// A failed listen (a port already taken, a port the user may not open, an address not on this
// machine) in words, with what to change: shared by the node, the cluster command and the studio.

/** A sentence for a listen error, or null when `err` is something else. `change` says which setting to change. */
export function listenErrorSentence(err: unknown, change: string): string | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { code?: unknown; port?: unknown; address?: unknown };
  const port = typeof e.port === 'number' ? ` ${e.port}` : '';
  switch (e.code) {
    case 'EADDRINUSE':
      return `Port${port} is already in use (another copy running, or another program): ${change}.`;
    case 'EACCES':
      return `Port${port} may not be opened by this user (ports below 1024 need privileges): ${change}.`;
    case 'EADDRNOTAVAIL':
      return `The address ${String(e.address ?? '')} is not one of this machine's: ${change}.`;
    default:
      return null;
  }
}
