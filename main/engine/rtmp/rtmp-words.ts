// The words for what a socket or a server did: error codes read from Node's errors, TLS failures,
// a handshake answered by something that is not RTMP, and server text made safe to show (one line,
// bounded). Shared by the setup probe and the publisher through RtmpConnection.

const MAX_DESCRIPTION = 200;

export const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
/** OpenSSL's and Node's codes for a certificate that does not verify (chain, dates or name). */
export const CERT_CODES = /CERT|SELF_SIGNED|ISSUER|ALTNAME|UNABLE_TO_VERIFY|UNABLE_TO_GET/;

export function errorCode(err: Error): string | undefined {
  const direct = (err as NodeJS.ErrnoException).code;
  if (typeof direct === 'string') return direct;
  // Happy-eyeballs connects report every address's failure in an AggregateError.
  if (err instanceof AggregateError) {
    for (const e of err.errors as unknown[]) {
      const c = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
      if (typeof c === 'string') return c;
    }
  }
  return undefined;
}

export function describeTlsError(err: Error, code: string | undefined): string {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'the port does not speak TLS (try rtmp://)';
  if (code === 'ECONNRESET') return 'the server hung up during the TLS handshake';
  if (code !== undefined && !code.startsWith('ERR_SSL')) return `${oneLine(err.message)} (${code})`;
  return code ?? oneLine(err.message);
}

export function describeGarbage(buf: Buffer): string {
  const head = buf.subarray(0, 16).toString('latin1');
  if (/^HTTP\/\d/.test(head)) return 'it answered in HTTP';
  if (buf[0] === 0x15 || buf[0] === 0x16) return 'it answered with TLS (try rtmps://)';
  return `unexpected handshake version 0x${(buf[0] as number).toString(16).padStart(2, '0')}`;
}

/** Server-provided text on one readable line, bounded: it is shown to people. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_DESCRIPTION ? `${flat.slice(0, MAX_DESCRIPTION)}…` : flat;
}
