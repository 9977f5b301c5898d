/** Why a JSON value cannot be stored as it is. */
export type UnstorableReason = 'nul' | 'surrogate' | 'depth' | 'number';

export interface Unstorable {
  /** JSON path of the culprit from where the walk started (`order.lines[0].note`), U+0000 escaped. */
  readonly path: string;
  readonly reason: UnstorableReason;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first place in `value` that no store should take, walking iteratively
 * (a hostile depth cannot overflow the stack): U+0000 in a string or key
 * (Postgres refuses it in text and JSON), a lone UTF-16 surrogate, nesting
 * deeper than `maxDepth` objects and arrays, or a number JSON cannot carry
 * exactly (not finite, or an integer beyond ±2^53). Null when there is none.
 */
export function findUnstorable(value: unknown, maxDepth: number, path = ''): Unstorable | null {
  const pending: [unknown, string, number][] = [[value, path, 0]];
  while (pending.length > 0) {
    const [v, at, depth] = pending.pop() as [unknown, string, number];
    if (typeof v === 'string') {
      if (v.includes('\0')) return { path: at, reason: 'nul' };
      if (LONE_SURROGATE.test(v)) return { path: at, reason: 'surrogate' };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) return { path: at, reason: 'number' };
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= maxDepth) return { path: at, reason: 'depth' };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) pending.push([v[i], `${at}[${i}]`, depth + 1]);
        continue;
      }
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i];
        const next = at === '' ? key : `${at}.${key}`;
        if (key.includes('\0')) return { path: next.replace(/\0/g, '\\u0000'), reason: 'nul' };
        pending.push([inner, next, depth + 1]);
      }
    }
  }
  return null;
}

/** What a user reads about `found` (the path quoted as given). */
export function describeUnstorable(found: Unstorable, maxDepth: number): string {
  const what = `'${found.path}'`;
  switch (found.reason) {
    case 'nul':
      return `${what} holds the character U+0000, which cannot be stored`;
    case 'surrogate':
      return `${what} holds a lone UTF-16 surrogate (not a character)`;
    case 'depth':
      return `${what} is nested more than ${maxDepth} levels deep`;
    case 'number':
      return `${what} is a number JSON cannot carry exactly (beyond ±2^53 or not finite); send it as a string`;
  }
}
