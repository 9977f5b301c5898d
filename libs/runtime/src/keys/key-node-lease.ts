import { KeyGenerator, MAX_NODE, type Key } from './key-generator';

/** Node numbers from `from` to `to`, both included. */
export interface NodeRange {
  readonly from: number;
  readonly to: number;
}

/** Every node number: a store that is not partitioned. */
export const ALL_NODES: NodeRange = { from: 0, to: MAX_NODE };

/** Where node numbers are leased (the store's "KeyNode" table). */
export interface KeyNodeRepository {
  /** Takes a free node of `nodes` (never leased, or its lease ran out); null when all are taken. */
  claim(owner: string, leaseMs: number, nodes?: NodeRange): Promise<number | null>;
  /** Extends the lease; false when the node is no longer this owner's. */
  renew(node: number, owner: string, leaseMs: number): Promise<boolean>;
  release(node: number, owner: string): Promise<void>;
}

export interface KeyNodeLeaseOptions {
  /** How long a lease lasts without renewal. Default 60 s. */
  readonly leaseMs?: number;
  /** Renewals per lease period. Default 4. */
  readonly renewalsPerLease?: number;
  readonly onError?: (error: Error) => void;
  readonly clock?: () => number;
  /** The node numbers this process may lease: a store partition's own range (`partitionNodes`). Default all. */
  readonly nodes?: NodeRange;
}

/**
 * Keys for one process: a node number leased from the store and renewed in
 * the background, and a generator on it. A process that could not renew in
 * time (paused, cut off from the database) stops generating keys until it has
 * a lease again — by then another process may hold its old number — so two
 * processes never generate the same key.
 */
export class LeasedKeys {
  private generator: KeyGenerator;
  private validUntil: number;
  private timer?: NodeJS.Timeout;
  private renewing?: Promise<void>;

  private constructor(
    private readonly repository: KeyNodeRepository,
    private readonly owner: string,
    private node: number,
    private readonly options: Required<Omit<KeyNodeLeaseOptions, 'onError'>> & Pick<KeyNodeLeaseOptions, 'onError'>,
    leasedAt: number,
  ) {
    this.validUntil = this.expiryFrom(leasedAt);
    this.generator = this.generatorFor(node);
  }

  static async acquire(repository: KeyNodeRepository, owner: string, options: KeyNodeLeaseOptions = {}): Promise<LeasedKeys> {
    const resolved = {
      leaseMs: options.leaseMs ?? 60_000,
      renewalsPerLease: options.renewalsPerLease ?? 4,
      clock: options.clock ?? Date.now,
      onError: options.onError,
      nodes: options.nodes ?? ALL_NODES,
    };
    const started = resolved.clock();
    const node = await repository.claim(owner, resolved.leaseMs, resolved.nodes);
    if (node === null) throw new Error(`every key node (${describe(resolved.nodes)}) is leased: too many Baton processes share this store`);
    const keys = new LeasedKeys(repository, owner, node, resolved, started);
    keys.timer = setInterval(() => void keys.renew(), Math.max(1, Math.floor(resolved.leaseMs / resolved.renewalsPerLease)));
    keys.timer.unref();
    return keys;
  }

  get nodeNumber(): number {
    return this.node;
  }

  readonly next = (): Key => this.generator.next();

  /** Renews now (the timer does it in the background). */
  renew(): Promise<void> {
    this.renewing ??= this.doRenew().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  async release(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
    this.validUntil = -Infinity;
    await this.repository.release(this.node, this.owner);
  }

  private async doRenew(): Promise<void> {
    const started = this.options.clock();
    try {
      if (await this.repository.renew(this.node, this.owner, this.options.leaseMs)) {
        this.validUntil = this.expiryFrom(started);
        return;
      }
      // The lease ran out and another process took the number: take a new one.
      const node = await this.repository.claim(this.owner, this.options.leaseMs, this.options.nodes);
      if (node === null) throw new Error(`every key node (${describe(this.options.nodes)}) is leased`);
      this.node = node;
      this.generator = this.generatorFor(node);
      this.validUntil = this.expiryFrom(started);
    } catch (e) {
      this.options.onError?.(e as Error);
    }
  }

  /** A lease counted from when its request was sent, less a margin for the round trip. */
  private expiryFrom(requestedAt: number): number {
    return requestedAt + this.options.leaseMs - Math.min(5_000, this.options.leaseMs / 4);
  }

  private generatorFor(node: number): KeyGenerator {
    return new KeyGenerator({ node, clock: this.options.clock, validUntil: () => this.validUntil });
  }
}

function describe(nodes: NodeRange): string {
  const count = nodes.to - nodes.from + 1;
  return count === MAX_NODE + 1 ? '1,024' : `${count.toLocaleString('en-US')}, ${nodes.from} to ${nodes.to}`;
}
