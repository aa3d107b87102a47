// Test support: the one way a test waits: on a condition, with a deadline, polled at an interval.
// A sleep says nothing about what it waits for and is either too short on a loaded machine or
// wasted time on an idle one; a condition with a deadline is neither, and its timeout names what
// never happened. Every poll loop in test/support and the tests goes through here.

export interface WaitOptions {
  /** Give up (reject) after this long. */
  timeoutMs: number;
  /** Between polls; default 100 ms. */
  intervalMs?: number;
  /**
   * Names the condition in the timeout error: "node B live", "port 11000 released"; a function is
   * called at the timeout, to say what was seen instead ("212 of 300 viewers have media").
   */
  what: string | (() => string);
}

/**
 * Polls `condition` until it returns a truthy value (resolved with it) or `timeoutMs` passes
 * (rejected with an error naming `what`, the last thrown error and how many polls were made).
 * A condition that throws counts as "not yet". The positional form `(fn, timeoutMs, what, everyMs)`
 * is the older spelling of the same call.
 */
export function waitFor<T>(condition: () => Promise<T> | T, o: WaitOptions): Promise<NonNullable<T>>;
export function waitFor<T>(condition: () => Promise<T> | T, timeoutMs: number, what: WaitOptions['what'], intervalMs?: number): Promise<NonNullable<T>>;
export async function waitFor<T>(condition: () => Promise<T> | T, o: WaitOptions | number, what?: WaitOptions['what'], intervalMs?: number): Promise<NonNullable<T>> {
  const opts: WaitOptions = typeof o === 'number' ? { timeoutMs: o, what: what ?? 'a condition', intervalMs } : o;
  const every = Math.max(1, opts.intervalMs ?? 100);
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  let polls = 0;
  // Bounded by the deadline; at least one poll even with timeoutMs 0.
  for (;;) {
    polls += 1;
    try {
      const v = await condition();
      if (v) return v as NonNullable<T>;
      last = undefined;
    } catch (err) {
      last = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await delay(Math.min(every, left));
  }
  const why = last === undefined ? '' : ` (last error: ${last instanceof Error ? last.message : String(last)})`;
  const name = typeof opts.what === 'function' ? opts.what() : opts.what;
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${name} (${polls} checks)${why}`);
}

/**
 * Resolves with the condition's value, or with `undefined` once `timeoutMs` passes: for the rare
 * check that "X did NOT happen within T", where the timeout is the expected outcome.
 */
export async function waitForOrNot<T>(condition: () => Promise<T> | T, o: Omit<WaitOptions, 'what'>): Promise<NonNullable<T> | undefined> {
  try {
    return await waitFor(condition, { ...o, what: 'a condition expected not to hold' });
  } catch {
    return undefined;
  }
}

/**
 * Resolves with `promise`'s value, or rejects naming `what` after `timeoutMs`: a deadline for a
 * single event (a process exit, a socket close) rather than a polled state.
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The poll interval itself; not a way to wait for something (use waitFor). */
function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
