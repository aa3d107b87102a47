// Numbers in words a presenter reads at a glance.
export function formatBitrate(bps: number | null): string {
  if (bps === null) return 'not reported';
  if (bps >= 1_000_000) return `${(bps / 1_000_000).toFixed(1)} Mb/s`;
  if (bps >= 1000) return `${Math.round(bps / 1000)} kb/s`;
  return `${Math.round(bps)} b/s`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

export const stateWords: Record<string, string> = {
  idle: 'Idle',
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
  failed: 'Failed',
  stopped: 'Stopped',
};

export const setupWords: Record<string, string> = {
  ready: 'Ready',
  refused: 'Refused',
  timeout: 'No answer',
  rejected: 'Rejected',
  unreachable: 'Unreachable',
  'protocol-error': 'Not RTMP',
};
