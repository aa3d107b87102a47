// The certificates the engine's TLS connections (RTMPS publishing, wss:// control sessions) trust: Node's bundled roots, the operating system's store
// and NODE_EXTRA_CA_CERTS. Node 20 has no API for the OS store, and passing `ca` replaces Node's
// default list (extra certificates included), so the three are read here once and kept in one
// secure context that every connection shares.
import fs from 'node:fs';
import tls from 'node:tls';

/** Where Linux distributions and macOS keep the system bundle (the first that exists is used). */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/ssl/cert.pem'];

let shared: tls.SecureContext | null = null;

function readPems(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return fs.readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  } catch {
    return []; // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at start-up
  }
}

export function trustedCertificates(env: NodeJS.ProcessEnv = process.env): string[] {
  const system = SYSTEM_BUNDLES.find((f) => fs.existsSync(f));
  return [...new Set([...tls.rootCertificates, ...readPems(system), ...readPems(env.NODE_EXTRA_CA_CERTS)])];
}

/** One secure context for every RTMPS publisher and probe and every wss:// control session (built on first use). */
export function rtmpsSecureContext(): tls.SecureContext {
  shared ??= tls.createSecureContext({ ca: trustedCertificates() });
  return shared;
}
