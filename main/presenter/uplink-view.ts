// The network strip's numbers (issue #12): the engine's uplink controller state, with the encoder's
// full video rate and the servers' names, as the contract's UplinkView. The sentences are built from
// these in common/uplink-board.ts (the renderer's views read them there).
import type { UplinkView } from '../../common/ipc-contract.js';
import type { LiveConnection } from './live-connection.js';

/** The strip for a live session's engine; null before the controller's first reading. */
export function uplinkView(conn: Pick<LiveConnection, 'uplinkState' | 'encoderRates' | 'snapshots'>): UplinkView | null {
  const u = conn.uplinkState;
  if (!u) return null;
  const snaps = conn.snapshots();
  const label = (id: string) => snaps.find((s) => s.id === id)?.label ?? id;
  const reason = u.reason ?? 'paused: your upload cannot carry every server';
  return {
    step: u.step,
    fraction: u.fraction,
    verdict: u.verdict,
    sentBps: u.sentBps,
    neededBps: u.neededBps,
    fullVideoBps: conn.encoderRates?.videoBps ?? null,
    paused: u.paused.map((id) => ({ id, label: label(id), reason })),
    slow: u.slow.map((id) => ({ id, label: label(id) })),
  };
}
