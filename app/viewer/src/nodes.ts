// Which nodes the page plays from, in order: its own origin first (it answered), then the rest of
// the cluster in configured order.

export interface CandidateNode {
  /** The node's base URL (http[s]://host:port), also its identity on the page. */
  base: string;
  /** The stream over WebSocket-FLV on that node. */
  url: string;
}

export function candidateNodes(own: string, configured: readonly string[], flvPath: string): CandidateNode[] {
  const list = configured.length ? [...configured] : [own];
  const at = list.indexOf(own);
  const ordered = at >= 0 ? [...list.slice(at), ...list.slice(0, at)] : [own, ...list];
  return ordered.map((base) => ({ base, url: `${base.replace(/^http/, 'ws')}${flvPath}` }));
}
