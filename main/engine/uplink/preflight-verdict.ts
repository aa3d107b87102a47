// The preflight's verdict in words: given the upload the Tandem nodes measured together, the
// encoder's rates and the servers going live, what will happen on air. It plans with the uplink
// controller's own rules (its ladder, wire overhead and headroom, uplink-controller.ts), so the
// sentence says what the controller will do: full rate, a lower step, or the lowest step with the
// lowest-ranked servers paused (never the last one). The one home of these sentences: the
// renderer receives them finished.
import { DEFAULT_UPLINK_POLICY, FIT_HEADROOM, WIRE_OVERHEAD, type EncoderRates } from './uplink-controller.js';
import { formatBitrate } from '../../../common/uplink-board.js';

/** What the preflight measured of one server, as the UI lists it. */
export interface ServerUploadResult {
  id: string;
  /** What crossed to this server while every node was probed at once; null when not measured. */
  bps: number | null;
  /** Why not measured (or how), in words. */
  reason: string;
  /** The node stopped at its byte cap: at least bps reached it. */
  capped?: boolean;
}

export interface VerdictInput {
  /** The combined upload (every node probed at the same time), bits/s; null when nothing was measured. */
  uploadBps: number | null;
  /** A node stopped at its byte cap: the upload is at least `uploadBps`. */
  capped: boolean;
  /** Every server going live, plain RTMP ones included (each takes a full copy of the stream). */
  servers: number;
  /** Why nothing was measured, when uploadBps is null. */
  unmeasured?: 'no-nodes' | 'no-answer';
  rates: EncoderRates;
  ladder?: readonly number[];
}

export type VerdictKind = 'enough' | 'reduce' | 'pause' | 'short' | 'unknown';

export interface Verdict {
  kind: VerdictKind;
  /** The video bitrate the controller will settle on (bits/s); the full one when unknown. */
  videoBps: number;
  /** Servers that will be paused (the lowest-ranked). */
  paused: number;
  sentence: string;
}


const serversWord = (n: number): string => `${n} server${n === 1 ? '' : 's'}`;

/** What `n` servers need on the wire at `fraction` of the video (the controller's own sum). */
function neededBps(n: number, fraction: number, rates: EncoderRates): number {
  return n * (rates.videoBps * fraction + rates.audioBps) * WIRE_OVERHEAD;
}

export function preflightVerdict(i: VerdictInput): Verdict {
  const ladder = i.ladder ?? DEFAULT_UPLINK_POLICY.ladder;
  const full = i.rates.videoBps;
  const each = `${serversWord(i.servers)} at ${formatBitrate(full)}${i.servers > 1 ? ' each' : ''}`;
  if (i.uploadBps === null) {
    const why =
      i.unmeasured === 'no-answer'
        ? 'no Tandem node answered the upload test'
        : 'plain RTMP servers cannot take an upload test without publishing; a Tandem node can';
    return { kind: 'unknown', videoBps: full, paused: 0, sentence: `Your upload was not measured: ${why}` };
  }
  const room = i.uploadBps * FIT_HEADROOM;
  const carries = `Your upload carries ${i.capped ? 'more than' : 'about'} ${formatBitrate(i.uploadBps)}`;
  const fits = (n: number, f: number) => neededBps(n, f, i.rates) <= room;
  if (fits(i.servers, ladder[0]!)) return { kind: 'enough', videoBps: full, paused: 0, sentence: `${carries}: enough for ${each}` };
  const step = ladder.find((f) => fits(i.servers, f));
  if (step !== undefined) {
    const videoBps = Math.round(full * step);
    return { kind: 'reduce', videoBps, paused: 0, sentence: `${carries}: not enough for ${each}; Tandem will lower the quality to ${formatBitrate(videoBps)}` };
  }
  const lowest = ladder[ladder.length - 1]!;
  const videoBps = Math.round(full * lowest);
  let carried = i.servers - 1;
  while (carried >= 1 && !fits(carried, lowest)) carried--;
  if (carried >= 1) {
    const paused = i.servers - carried;
    const which = paused === 1 ? 'the last server' : `the last ${paused} servers`;
    return { kind: 'pause', videoBps, paused, sentence: `${carries}: not enough for ${each}; Tandem will lower the quality to ${formatBitrate(videoBps)} and pause ${which}` };
  }
  const paused = i.servers - 1;
  const pausing = paused === 0 ? '' : paused === 1 ? ', even with the last server paused' : `, even with the last ${paused} servers paused`;
  return {
    kind: 'short',
    videoBps,
    paused,
    sentence: `${carries}: not enough for ${each}, nor for 1 server at ${formatBitrate(videoBps)}${pausing}; viewers would see the webcast freeze: use a faster connection`,
  };
}

/** A server whose figure is below this share of the others' average had a path slow alone. */
const SLOW_PATH_SHARE = 0.5;

/**
 * One server's line under the results: what crossed to it, or why it was not measured. A server
 * that got far less than the others, and less than one copy of the stream needs, has a slow path
 * of its own: the controller leaves the bitrate alone for it and that server drops video.
 */
export function serverUploadSentence(r: ServerUploadResult, ctx?: { othersAvgBps: number | null; needBps: number }): string {
  if (r.bps === null) return `not measured: ${r.reason}`;
  const reached = `${r.capped ? 'at least ' : ''}${formatBitrate(r.bps)} reached it during the test`;
  if (ctx && ctx.othersAvgBps !== null && r.bps < ctx.needBps && r.bps < ctx.othersAvgBps * SLOW_PATH_SHARE) {
    return `${reached}: its own path is slow (${formatBitrate(ctx.needBps)} needed), so it will drop video while the others play on`;
  }
  return reached;
}

/** What Test servers shows of the preflight: the verdict and one line per server. */
export interface UploadCheckView {
  kind: VerdictKind;
  verdict: string;
  servers: Array<{ id: string; bps: number | null; sentence: string }>;
}

export function uploadCheckView(r: { servers: readonly ServerUploadResult[]; uploadBps: number | null; capped: boolean; unmeasured?: VerdictInput['unmeasured'] }, rates: EncoderRates): UploadCheckView {
  const v = preflightVerdict({ uploadBps: r.uploadBps, capped: r.capped, servers: r.servers.length, unmeasured: r.unmeasured, rates });
  // One copy of the stream at the step the verdict plans, on the wire.
  const needBps = neededBps(1, v.videoBps / rates.videoBps, rates);
  const measured = r.servers.filter((s) => s.bps !== null);
  return {
    kind: v.kind,
    verdict: v.sentence,
    servers: r.servers.map((s) => {
      const others = measured.filter((m) => m.id !== s.id);
      const othersAvgBps = others.length ? others.reduce((n, m) => n + m.bps!, 0) / others.length : null;
      return { id: s.id, bps: s.bps, sentence: serverUploadSentence(s, { othersAvgBps, needBps }) };
    }),
  };
}
