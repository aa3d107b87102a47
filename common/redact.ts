// Secrets (stream keys, signatures, tokens) never reach logs or the renderer:
// every URL that is shown or logged goes through maskPublishUrl (common/publish-url.ts) first.
import { maskPublishUrl } from './publish-url.js';

/** Masks rtmp(s):// URLs and sign= / key= / token= parameters anywhere in a line of text. */
export function redactText(text: string): string {
  return text
    .replace(/rtmps?:\/\/[^\s'"]+/gi, (m) => maskPublishUrl(m))
    .replace(/\b(sign|key|token|secret|password)=([^&\s'"]+)/gi, '$1=••••');
}
