// The cluster profile: a JSON file an organiser hands to presenters. It names the servers to
// publish to (with their keys or signed URLs), the brand to show and the viewer URLs to share.
// It arrives from a file the presenter picked, so every field is parsed here before use.
import { z } from 'zod';
import { MAX_TOKEN_CHARS, MIN_TOKEN_CHARS } from './limits.js';
import { brandSchema } from './brand.js';
import { SECRET_ADVICE, secretWeakness } from './secret-strength.js';
import { serverConfigSchema } from './streaming.js';

// The brand schema has its own home (every side uses it); re-exported for the profile's users.
export { brandSchema, defaultBrand, type Brand } from './brand.js';

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'Enter an http:// or https:// URL');

/**
 * A presenter token as the presenter's side accepts it: the node's own rule (common/secret-strength.ts,
 * which the node applies to its --control-token-file), so a token the node would refuse to start
 * with, or one guessable in a few tries, is refused here in the same words instead of being stored.
 */
export const presenterTokenSchema = z
  .string()
  .min(MIN_TOKEN_CHARS, `The presenter token is too short: use the node's token (at least ${MIN_TOKEN_CHARS} characters)`)
  .max(MAX_TOKEN_CHARS, `The presenter token is too long (${MAX_TOKEN_CHARS} characters at most)`)
  .refine((t) => t.length < MIN_TOKEN_CHARS || secretWeakness(t) === null, {
    error: (i) => `The presenter token is too weak: ${secretWeakness(String(i.input))}; ${SECRET_ADVICE}`,
  });

/** Why a presenter token is refused, in words, or null when it may be stored. */
export function presenterTokenProblem(token: string): string | null {
  const r = presenterTokenSchema.safeParse(token);
  return r.success ? null : (r.error.issues[0]?.message ?? 'The presenter token is not valid');
}

/** A server as the presenter configures it: the engine's ServerConfig plus the control plane. */
export const profileServerSchema = serverConfigSchema.extend({
  /** The server's Tandem control plane base URL (its node's HTTP address), when it has one. */
  controlUrl: httpUrl.optional(),
  /** Presenter token for the control plane (a secret); nodes refuse shorter ones, so the profile does too. */
  token: presenterTokenSchema.optional(),
});
export type ProfileServer = z.infer<typeof profileServerSchema>;

export const clusterProfileSchema = z
  .object({
    version: z.literal(1),
    name: z.string().trim().min(1).max(120),
    servers: z.array(profileServerSchema).min(1, 'The profile names no server').max(16, 'At most 16 servers'),
    brand: brandSchema.optional(),
    viewerUrls: z.array(httpUrl).max(16).default([]),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.servers.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['servers', i, 'id'], message: `Two servers share the id "${s.id}"` });
      seen.add(s.id);
    });
  });
export type ClusterProfile = z.infer<typeof clusterProfileSchema>;

export const httpUrlSchema = httpUrl;
