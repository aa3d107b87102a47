// Voter ids are issued by the node and signed with a key derived from the node's secret, so a
// viewer cannot vote twice by inventing ids: a vote must carry an id this node (or another node of
// the cluster, which shares the secret) handed out in a `welcome`. Ids survive restarts and
// failovers for the same reason. Each id is a nonce followed by the HMAC of that nonce.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CLIENT_ID_PATTERN } from '../../common/limits.js';

const MAC_CHARS = 24; // 96 bits

/** The key for voter ids, derived from the publish secret (never the secret itself). */
export function voterIdKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('tandem voter id v1').digest();
}

function mac(key: Buffer, nonce: string): string {
  return createHmac('sha256', key).update(nonce).digest('hex').slice(0, MAC_CHARS);
}

/** `nonce` signed: also what tests use to make valid ids with known names. */
export function signVoterId(key: Buffer, nonce: string): string {
  return nonce + mac(key, nonce);
}

export class VoterIds {
  constructor(private readonly key: Buffer) {}

  /** A fresh id, or the viewer's earlier one when it is valid (a reload votes as the same voter). */
  issue(previous?: string): string {
    if (previous !== undefined && this.valid(previous)) return previous;
    return signVoterId(this.key, 'v-' + randomBytes(8).toString('hex'));
  }

  valid(id: string): boolean {
    if (!CLIENT_ID_PATTERN.test(id) || id.length <= MAC_CHARS) return false;
    const nonce = id.slice(0, -MAC_CHARS);
    const want = Buffer.from(mac(this.key, nonce));
    const got = Buffer.from(id.slice(-MAC_CHARS));
    return got.length === want.length && timingSafeEqual(got, want);
  }
}
