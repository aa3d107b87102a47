// The node's presenter token check: one home for the control session's hello and the upload probe.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class PresenterToken {
  private readonly want: Buffer | null;

  constructor(token: string | undefined) {
    this.want = token ? digest(token) : null;
  }

  /** The node has a presenter token (questions open, presenter sessions possible). */
  get configured(): boolean {
    return this.want !== null;
  }

  /** Constant time: fixed-length digests, so neither the length nor a prefix leaks. */
  matches(given: string | undefined): boolean {
    return this.want !== null && given !== undefined && timingSafeEqual(this.want, digest(given));
  }
}
