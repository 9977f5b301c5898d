import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * Random bytes for ids, drawn from the CSPRNG 4 KiB at a time. uuid's own
 * generator asks the OS for 16 fresh bytes per id (`crypto.getRandomValues`
 * every call), which was the largest single frame of a worker's CPU profile
 * under R1 load (~17 % of busy time): the engine takes an id for every
 * element instance it activates.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;

function random16(): Uint8Array {
  if (poolOffset + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/** Millisecond and counter of the last id: ids of one process are strictly increasing, as uuid's own v7 makes them. */
const last = { msecs: -Infinity, seq: 0 };

/**
 * UUIDv7: unique, and sorted by creation time, so ids double as "newest first"
 * cursors. Same layout and monotonicity as uuid's `v7()` (RFC 9562 §6.2
 * method 1: a counter seeded at random each millisecond, incremented within
 * one), only with pooled random bytes.
 */
export const newId = (): string => {
  const random = random16();
  const now = Date.now();
  if (now > last.msecs) {
    last.msecs = now;
    last.seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
  } else {
    last.seq = (last.seq + 1) | 0;
    // The counter ran over: borrow the next millisecond, as uuid does.
    if (last.seq === 0) last.msecs++;
  }
  return v7({ random, msecs: last.msecs, seq: last.seq });
};
