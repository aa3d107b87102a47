// The page's playback state, shown in the status pill and mirrored on <html data-state>, where the
// stylesheet, the Q&A side (cues, following the player) and the e2e tests read it.

/** `countdown` and `ended` come from the webcast's phase (webcast.ts), the rest from playback. */
export type PlaybackState = 'live' | 'reconnecting' | 'offline' | 'countdown' | 'ended';

export function setStatus(state: PlaybackState, text: string): void {
  const status = document.getElementById('status');
  if (status && (status.dataset.state !== state || status.textContent !== text)) {
    status.dataset.state = state;
    status.textContent = text;
  }
  document.documentElement.dataset.state = state;
}

/** False when the page plays nothing (offline, or a browser without MSE). */
export function playerActive(): boolean {
  const state = document.documentElement.dataset.state;
  return state === 'live' || state === 'reconnecting';
}

/** The node whose stream is playing live, or null. */
export function liveNode(): string | null {
  const root = document.documentElement.dataset;
  return root.state === 'live' ? (root.node ?? null) : null;
}
