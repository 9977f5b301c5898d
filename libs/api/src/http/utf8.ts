import { RuntimeError, RuntimeErrorCode } from '@baton/runtime';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body as strict UTF-8, or a 400 naming the first byte that is not UTF-8. */
export function utf8(body: Buffer): string | RuntimeError {
  try {
    return strictUtf8.decode(body);
  } catch {
    const at = firstInvalidUtf8(body);
    return new RuntimeError(RuntimeErrorCode.BadRequest, `the body is not valid UTF-8 (byte ${at})`, [
      { field: 'body', message: `not valid UTF-8 at byte ${at}` },
    ]);
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(body: Buffer): number {
  let lo = 0;
  let hi = body.length;
  // The longest valid prefix, by bisection (streaming: a prefix that ends inside a sequence is not invalid).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // The prefix may end inside the broken sequence: report where that sequence starts.
  for (let start = lo; start > Math.max(0, lo - 4); start--) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, start));
      return start;
    } catch {
      // keep stepping back to a sequence boundary
    }
  }
  return lo;
}
