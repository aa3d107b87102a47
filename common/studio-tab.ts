// Browser mode's second credential, beside the session cookie: a per-tab secret. Cookies are not
// separated by port, so any page served on 127.0.0.1 may end up holding the studio's cookie; the
// tab secret is handed to the one tab that opened the one-time link (in the URL fragment, which
// is never sent to a server nor in a Referer), kept in that tab's sessionStorage, and offered as
// a WebSocket subprotocol. The studio server and the renderer both take the names from here.

/** The subprotocol the server answers with: the secret itself is never echoed back. */
export const STUDIO_IPC_PROTOCOL = 'tandem.ipc';
/** The fragment after the one-time link's redirect: `/#tab=<secret>`. */
export const TAB_FRAGMENT_KEY = 'tab';
/** Where the page keeps the secret: one tab's sessionStorage (survives a reload, not a new tab). */
export const TAB_STORAGE_KEY = 'tandem.tab';

const TAB_PREFIX = 'tandem.tab.';
/** base64url: every character is valid in a subprotocol token. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

/** The subprotocols a tab offers: the IPC protocol, then its secret. */
export function tabProtocols(secret: string): string[] {
  return [STUDIO_IPC_PROTOCOL, `${TAB_PREFIX}${secret}`];
}

/** The tab secret among offered subprotocols (the `Sec-WebSocket-Protocol` list), or null. */
export function tabSecretOf(protocols: Iterable<string>): string | null {
  for (const p of protocols) {
    const s = p.trim();
    if (s.startsWith(TAB_PREFIX) && SECRET_PATTERN.test(s.slice(TAB_PREFIX.length))) return s.slice(TAB_PREFIX.length);
  }
  return null;
}
