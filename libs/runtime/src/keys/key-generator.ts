/**
 * 64-bit keys for every entity (instances, element instances, jobs, user
 * tasks, incidents, definitions, ...), shown to clients as decimal strings as
 * Camunda 8 does (`^-?[0-9]+$`).
 *
 * Layout, most significant first: 41 bits of milliseconds since 2020-01-01
 * (good until 2089), 10 bits of node number, 12 bits of sequence within the
 * millisecond. Keys of one node strictly increase; keys of all nodes sort by
 * creation time to the millisecond, so "newest first" is `ORDER BY key DESC`.
 * Uniqueness across processes comes from the node number, which each process
 * leases from the store (see {@link KeyNodeLease}); the bit above the 41 ms
 * bits stays 0, so keys are positive signed 64-bit integers.
 */
export const KEY_EPOCH_MS = Date.UTC(2020, 0, 1);
export const NODE_BITS = 10;
export const SEQUENCE_BITS = 12;
export const MAX_NODE = (1 << NODE_BITS) - 1;
const MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1;
const LOW_BITS = BigInt(NODE_BITS + SEQUENCE_BITS);

/** A key as clients see it: a decimal string of a positive 64-bit integer. */
export type Key = string;

const KEY = /^[1-9][0-9]{0,18}$/;
const MAX_KEY = 2n ** 63n - 1n;

/** Whether a string can be a key (anything else names no row, and the database would refuse to compare it). */
export function isKey(value: string): boolean {
  return KEY.test(value) && (value.length < 19 || BigInt(value) <= MAX_KEY);
}

/** The creation time a generated key carries (epoch ms); 0 for keys migrated from before keys existed. */
export function keyTime(key: Key): number {
  const ms = Number(BigInt(key) >> LOW_BITS);
  return ms === 0 ? 0 : ms + KEY_EPOCH_MS;
}

/** The node number a generated key was made on (0 for keys from before keys carried one). */
export function keyNode(key: Key): number {
  return Number((BigInt(key) >> BigInt(SEQUENCE_BITS)) & BigInt(MAX_NODE));
}

export class KeyLeaseExpiredError extends Error {
  constructor(node: number) {
    super(`the lease of key node ${node} ran out before it was renewed; keys cannot be generated until it is`);
    this.name = 'KeyLeaseExpiredError';
  }
}

export interface KeyGeneratorOptions {
  readonly node: number;
  readonly clock?: () => number;
  /** Epoch ms after which the node may belong to someone else: generating throws. */
  readonly validUntil?: () => number;
}

export class KeyGenerator {
  private readonly node: number;
  private readonly clock: () => number;
  private readonly validUntil: () => number;
  private lastMs = -1;
  private sequence = 0;
  /** `lastMs << 22` as a BigInt, made once per millisecond. */
  private high = 0n;

  constructor(options: KeyGeneratorOptions) {
    if (!Number.isInteger(options.node) || options.node < 0 || options.node > MAX_NODE) {
      throw new RangeError(`key node must be a whole number from 0 to ${MAX_NODE}, got ${options.node}`);
    }
    this.node = options.node;
    this.clock = options.clock ?? Date.now;
    this.validUntil = options.validUntil ?? (() => Infinity);
  }

  /** The next key. A clock that goes back does not make keys go back: they continue from the last millisecond. */
  readonly next = (): Key => {
    const now = this.clock();
    if (now > this.validUntil()) throw new KeyLeaseExpiredError(this.node);
    const ms = Math.max(0, now - KEY_EPOCH_MS);
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.sequence = 0;
      this.high = BigInt(ms) << LOW_BITS;
    } else if (++this.sequence > MAX_SEQUENCE) {
      // 4,096 keys in one millisecond: borrow the next one.
      this.lastMs += 1;
      this.sequence = 0;
      this.high = BigInt(this.lastMs) << LOW_BITS;
    }
    return (this.high | BigInt((this.node << SEQUENCE_BITS) | this.sequence)).toString();
  };
}
