// The one rule for how strong a secret or token must be: the node's publish secret and presenter
// token, and the presenter's copy of that token. Deliberately simple, and explained:
//  - at least 16 characters;
//  - not dominated by one character (more than half the string) nor a weak pattern repeated
//    ("aaaa…", "abab…", "passpass…"): such strings have far less entropy than their length says
//    (a repeated pattern counts as one copy of it);
//  - at least 64 bits by a character-class estimate: length × log2(size of the classes used:
//    26 lower, 26 upper, 10 digits, 33 other printable). 16 hex digits pass (~83 bits), 16 decimal
//    digits do not (~53 bits); `openssl rand -hex 32` gives ~330.
// It does not claim to measure real entropy (a dictionary phrase can pass); it refuses the weak
// shapes people actually type, with a sentence that says which.

export const MIN_SECRET_CHARS = 16;
export const MIN_SECRET_BITS = 64;

const CLASSES: readonly [RegExp, number][] = [
  [/[a-z]/, 26],
  [/[A-Z]/, 26],
  [/[0-9]/, 10],
  [/[^a-zA-Z0-9]/, 33],
];

/** Bits by the character-class estimate: length × log2(pool of the classes present). */
export function estimatedSecretBits(s: string): number {
  const pool = CLASSES.reduce((n, [re, size]) => (re.test(s) ? n + size : n), 0);
  return pool > 1 ? s.length * Math.log2(pool) : 0;
}

/** Why `s` is too weak, as the end of a sentence ("…: <reason>"), or null when it is strong enough. */
export function secretWeakness(s: string): string | null {
  if (s.length < MIN_SECRET_CHARS) return `it is too short (at least ${MIN_SECRET_CHARS} characters)`;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  if (Math.max(...counts.values()) * 2 > s.length) return 'one character makes up most of it';
  // A pattern repeated is worth one copy of it: judged as that copy.
  const unit = /^([\s\S]+?)\1+$/.exec(s)?.[1];
  if (unit !== undefined && secretWeakness(unit) !== null) return 'it is one short pattern repeated';
  const bits = estimatedSecretBits(s);
  if (bits < MIN_SECRET_BITS) return `it has about ${Math.floor(bits)} bits, under ${MIN_SECRET_BITS}: make it longer or mix letters, digits and symbols`;
  return null;
}

/** The advice every refusal ends with. */
export const SECRET_ADVICE = 'generate one with `openssl rand -hex 32`';
