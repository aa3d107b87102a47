// Refuses publish secrets that protect nothing: empty, weak (common/secret-strength.ts: short, one
// character or pattern repeated, under 64 bits), or a default that ships with a library.
import { createHash } from 'node:crypto';
import { SECRET_ADVICE, secretWeakness } from '../common/secret-strength.js';
import { WeakSecretError } from './errors.js';

// SHA-256 of node-media-server's historical default auth secret (documented in its README and sample
// configs). Kept as a hash so the literal never appears in code, logs or greps.
const KNOWN_DEFAULT_SECRET_SHA256 = new Set(['fcd7f65049b82106a46249ed9ad20d25a29295eeb5a503de118bd325c03b6af4']);

export function isKnownDefaultSecret(secret: string): boolean {
  const digest = createHash('sha256').update(secret.trim().toLowerCase()).digest('hex');
  return KNOWN_DEFAULT_SECRET_SHA256.has(digest);
}

/** Throws WeakSecretError with a sentence an operator can act on. */
export function assertUsableSecret(secret: string | undefined): asserts secret is string {
  if (secret === undefined || secret.trim() === '') {
    throw new WeakSecretError(
      'No publish secret: set TANDEM_SECRET, --secret-file or "secret" in the config file (generate one with `openssl rand -hex 32`).',
    );
  }
  if (isKnownDefaultSecret(secret)) {
    throw new WeakSecretError(
      "The publish secret is node-media-server's public default; anyone could publish. Generate one with `openssl rand -hex 32`.",
    );
  }
  const weak = secretWeakness(secret);
  if (weak) throw new WeakSecretError(`The publish secret is too weak: ${weak}; ${SECRET_ADVICE}.`);
}
