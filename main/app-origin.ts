// The app's own page lives at app://tandem/ (a privileged custom scheme serving dist/renderer), so
// "is this our page?" is one origin comparison for permissions, navigation and IPC senders.
export const APP_SCHEME = 'app';
export const APP_HOST = 'tandem';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The CSP sent with every page of the app: the one policy of the renderer page. */
export { RENDERER_CSP as APP_CSP } from '../common/renderer-page.js';
