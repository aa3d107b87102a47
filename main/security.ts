// Security rules for every web contents: no navigation away from the app, no new windows, no
// webviews, and a permission handler that grants camera and microphone to the app's own page only.
import type { Session, WebContents } from 'electron';
import { isAppUrl } from './app-origin.js';

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0] & {};
type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0] & {};
type RequestDetails = Parameters<RequestHandler>[3];

/** Media (camera, microphone) for the app's main frame; nothing else, for nobody. */
export function allowPermission(permission: string, requestingUrl: string | undefined, isMainFrame: boolean, mediaTypes?: readonly string[]): boolean {
  if (permission !== 'media' || !isMainFrame || !isAppUrl(requestingUrl)) return false;
  return (mediaTypes ?? []).every((t) => t === 'video' || t === 'audio');
}

export const permissionRequestHandler: RequestHandler = (_wc, permission, callback, details: RequestDetails) => {
  const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
  callback(allowPermission(permission, details.requestingUrl, details.isMainFrame, mediaTypes));
};

export const permissionCheckHandler: CheckHandler = (_wc, permission, requestingOrigin, details) =>
  allowPermission(permission, details.requestingUrl ?? requestingOrigin, details.isMainFrame ?? false, details.mediaType && details.mediaType !== 'unknown' ? [details.mediaType] : []);

export function hardenSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler(permissionRequestHandler);
  session.setPermissionCheckHandler(permissionCheckHandler);
}

type Contents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function hardenContents(contents: Contents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
