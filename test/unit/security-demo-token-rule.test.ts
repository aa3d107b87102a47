// Issue 11: one home for the presenter token rule. The server form's IPC schema (servers.save) takes
// its token field from common/profile.ts's presenterTokenSchema, so a token the node and a profile
// refuse is refused at the IPC boundary too, in the same words; empty still means "keep the stored one".
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serverInputSchema } from '../../common/ipc-contract.js';
import { MAX_TOKEN_CHARS } from '../../common/limits.js';
import { presenterTokenProblem } from '../../common/profile.js';

const url = 'rtmp://h/live/KEY';
const tokenIssue = (token: string) => serverInputSchema.safeParse({ id: 'a', url, token }).error?.issues.find((i) => i.path[0] === 'token')?.message ?? null;

describe('servers.save token field', () => {
  it('refuses what presenterTokenSchema refuses, with the same sentence', () => {
    for (const t of ['aaaaaaaaaaaaaaaaaaaa', 'abababababababababab', '1234567890123456', 'short', 'x'.repeat(MAX_TOKEN_CHARS + 1)]) {
      const said = presenterTokenProblem(t);
      expect(said, t).not.toBeNull();
      expect(tokenIssue(t), t).toBe(said);
    }
  });

  it('takes a strong token and the empty field (keep the stored token)', () => {
    const strong = randomBytes(24).toString('hex');
    expect(serverInputSchema.safeParse({ id: 'a', url, token: strong }).success).toBe(true);
    expect(serverInputSchema.safeParse({ id: 'a', url, token: '' }).success).toBe(true);
    expect(serverInputSchema.safeParse({ id: 'a', url }).success).toBe(true);
  });
});
