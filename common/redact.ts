// Secrets (stream keys, signatures, tokens) never reach logs or the renderer:
// every URL that is shown or logged goes through maskUrl first.

/** rtmp://host:port/app/key?sign=… → rtmp://host:port/app/•••• (query dropped). */
export function maskUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '(invalid url)';
  }
  const parts = u.pathname.split('/').filter(Boolean);
  const app = parts[0] ?? '';
  const masked = parts.length > 1 ? `/${app}/••••` : `/${app}`;
  return `${u.protocol}//${u.host}${masked}`;
}

/** Masks rtmp(s):// URLs and sign= / key= / token= parameters anywhere in a line of text. */
export function redactText(text: string): string {
  return text
    .replace(/rtmps?:\/\/[^\s'"]+/gi, (m) => maskUrl(m))
    .replace(/\b(sign|key|token|secret|password)=([^&\s'"]+)/gi, '$1=••••');
}
