// Why a server takes no more bytes, as the kernel sees it: a peer that is alive but not reading
// keeps acknowledging with a closed receive window (the kernel probes it: timer 4 in
// /proc/net/tcp), while a peer that is gone (half-open: host down, network cut) acknowledges
// nothing and our segments are retransmitted (timer 1). Linux only; elsewhere the answer is unknown.
import fs from 'node:fs';

export type TcpPeerState = 'zero-window' | 'unacknowledged' | 'unknown';

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

/** The state of our connection from `localPort` to `remotePort`; `read` is for tests. */
export function tcpPeerState(localPort: number, remotePort: number, read: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): TcpPeerState {
  const local = `:${localPort.toString(16).toUpperCase().padStart(4, '0')}`;
  const remote = `:${remotePort.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of TABLES) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt …
      const f = line.trim().split(/\s+/);
      if (f.length < 7 || !f[1]!.endsWith(local) || !f[2]!.endsWith(remote)) continue;
      const timer = Number.parseInt(f[5]!.split(':')[0]!, 16);
      if (timer === 4) return 'zero-window';
      if (timer === 1) return 'unacknowledged';
      return 'unknown';
    }
  }
  return 'unknown';
}
