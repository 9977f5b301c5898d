import type { TenantScope } from '../ports/records';

/** A count read with a bound: `capped` when there are more than `count` (the bound). */
export interface BoundedCount {
  readonly count: number;
  readonly capped: boolean;
}

export interface OverviewCounts {
  readonly instances: Readonly<Record<'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'CANCELED', BoundedCount>>;
  /** Instances with at least one open incident. */
  readonly instancesWithIncident: BoundedCount;
  readonly openIncidents: BoundedCount;
  /** Jobs waiting for a job worker (ACTIVATABLE), largest types first. */
  readonly jobBacklog: BoundedCount;
  readonly jobBacklogByType: readonly { readonly type: string; readonly count: number }[];
  /** Job workers holding live leases (ACTIVATED jobs whose lock has not run out), by worker name. */
  readonly jobWorkers: readonly { readonly worker: string; readonly types: readonly string[]; readonly jobs: number }[];
}

export interface ThroughputRow {
  /** The minute (UTC, seconds zero). */
  readonly minute: Date;
  readonly started: number;
  readonly completed: number;
  readonly canceled: number;
}

/** A process of this installation holding a key node lease: alive as long as it renews it. */
export interface NodeLeaseRow {
  readonly node: number;
  readonly owner: string;
  readonly leaseUntil: Date;
}

export interface OverviewRepository {
  /** Counts bounded by `live` (live instances, incidents, jobs) and `ended` (COMPLETED and CANCELED instances, which only grow). */
  counts(tenants: TenantScope, caps: { readonly live: number; readonly ended: number }): Promise<OverviewCounts>;
  /** Starts and ends per minute since `since`, minutes without any left out. */
  throughput(tenants: TenantScope, since: Date): Promise<ThroughputRow[]>;
  /** Live key node leases (`leaseUntil` in the future), by node. */
  liveNodes(): Promise<NodeLeaseRow[]>;
}

/** One Baton process: an API, a worker, or the embedded `baton` that is both. */
export interface ProcessView {
  readonly node: number;
  readonly app: string;
  readonly host: string;
  readonly pid: number | null;
  /** What it takes work from. */
  readonly consumes: readonly string[];
  readonly leaseUntil: string;
}

export interface OverviewView {
  readonly at: string;
  readonly instances: {
    readonly active: BoundedCount;
    readonly suspended: BoundedCount;
    readonly completed: BoundedCount;
    readonly canceled: BoundedCount;
    readonly withIncident: BoundedCount;
  };
  readonly incidents: { readonly open: BoundedCount };
  readonly throughput: {
    readonly minutes: number;
    /** One entry per minute, oldest first, the current (partial) minute last. */
    readonly perMinute: readonly { readonly minute: string; readonly started: number; readonly completed: number; readonly canceled: number }[];
    readonly started: number;
    readonly completed: number;
    readonly canceled: number;
  };
  readonly jobs: {
    readonly backlog: BoundedCount;
    readonly backlogByType: readonly { readonly type: string; readonly count: number }[];
    readonly workers: readonly { readonly worker: string; readonly types: readonly string[]; readonly jobs: number }[];
  };
  /** Null for a caller confined to some tenants: processes and the bus are the whole installation's. */
  readonly processes: readonly ProcessView[] | null;
  readonly tokenQueue: { readonly bus: 'rabbitmq' | 'in-process'; readonly depth: number | null } | null;
}

export interface OverviewServiceOptions {
  /** Counts of live things stop at this many (the answer says `capped`). Default 100,000. */
  readonly countCap?: number;
  /** Counts of ended instances (COMPLETED, CANCELED) stop at this many. Default 10,000. */
  readonly endedCountCap?: number;
  /**
   * How long an answer is reused for the same tenant scope: this (default
   * 2,000 ms), or five times what reading it took if that is longer, so a busy
   * store is asked at most a fifth of the time whoever polls.
   */
  readonly reuseMs?: number;
  readonly clock?: () => number;
}

/** What each kind of process takes work from (its key node lease names the kind). */
const CONSUMES: Readonly<Record<string, readonly string[]>> = {
  worker: ['token queue', 'timers', 'batch chunks'],
  baton: ['token queue', 'timers', 'batch chunks', 'HTTP requests'],
  api: ['HTTP requests'],
};

/** A lease owner reads `app@host:pid:uuid` (LeasedKeys.acquire's owner). */
export function processOf(row: NodeLeaseRow): ProcessView {
  const match = /^([^@]+)@(.*):([0-9]+):[^:]+$/.exec(row.owner);
  const app = match?.[1] ?? row.owner;
  return {
    node: row.node,
    app,
    host: match?.[2] ?? '',
    pid: match === null ? null : Number(match[3]),
    consumes: CONSUMES[app] ?? [],
    leaseUntil: row.leaseUntil.toISOString(),
  };
}

/**
 * The cockpit's overview: instances by state, open incidents, throughput of
 * the last hour, job backlog and job workers, the installation's processes.
 * Every figure is read with a bound (see the repository) and the whole answer
 * is reused for `reuseMs`, so pages polling it cost the store little.
 */
export class OverviewService {
  private readonly caps: { readonly live: number; readonly ended: number };
  private readonly reuseMs: number;
  private readonly clock: () => number;
  private readonly recent = new Map<string, { readonly at: number; until: number; readonly answer: Promise<Omit<OverviewView, 'tokenQueue'>> }>();

  constructor(
    private readonly repository: OverviewRepository,
    options: OverviewServiceOptions = {},
  ) {
    this.caps = { live: options.countCap ?? 100_000, ended: options.endedCountCap ?? 10_000 };
    this.reuseMs = options.reuseMs ?? 2_000;
    this.clock = options.clock ?? Date.now;
  }

  /** The figures of the store; the token queue's depth is the caller's to add (it is the bus's). */
  overview(tenants: TenantScope): Promise<Omit<OverviewView, 'tokenQueue'>> {
    const key = tenants === undefined ? '*' : JSON.stringify([...tenants].sort());
    const now = this.clock();
    const hit = this.recent.get(key);
    if (hit !== undefined && now < hit.until) return hit.answer;
    for (const [k, v] of this.recent) if (now >= v.until) this.recent.delete(k);
    const answer = this.read(tenants, now);
    const entry = { at: now, until: now + this.reuseMs, answer };
    this.recent.set(key, entry);
    answer.then(
      () => {
        entry.until = Math.max(entry.until, now + 5 * (this.clock() - now));
      },
      () => this.recent.delete(key),
    );
    return answer;
  }

  private async read(tenants: TenantScope, now: number): Promise<Omit<OverviewView, 'tokenQueue'>> {
    const minutes = 60;
    const current = Math.floor(now / 60_000) * 60_000;
    const since = new Date(current - (minutes - 1) * 60_000);
    const [counts, rows, nodes] = await Promise.all([
      this.repository.counts(tenants, this.caps),
      this.repository.throughput(tenants, since),
      tenants === undefined ? this.repository.liveNodes() : Promise.resolve(null),
    ]);
    const byMinute = new Map(rows.map((r) => [r.minute.getTime(), r]));
    const perMinute = Array.from({ length: minutes }, (_, i) => {
      const t = since.getTime() + i * 60_000;
      const row = byMinute.get(t);
      return { minute: new Date(t).toISOString(), started: row?.started ?? 0, completed: row?.completed ?? 0, canceled: row?.canceled ?? 0 };
    });
    const sum = (f: 'started' | 'completed' | 'canceled') => perMinute.reduce((n, m) => n + m[f], 0);
    return {
      at: new Date(now).toISOString(),
      instances: {
        active: counts.instances.ACTIVE,
        suspended: counts.instances.SUSPENDED,
        completed: counts.instances.COMPLETED,
        canceled: counts.instances.CANCELED,
        withIncident: counts.instancesWithIncident,
      },
      incidents: { open: counts.openIncidents },
      throughput: { minutes, perMinute, started: sum('started'), completed: sum('completed'), canceled: sum('canceled') },
      jobs: { backlog: counts.jobBacklog, backlogByType: counts.jobBacklogByType, workers: counts.jobWorkers },
      processes: nodes === null ? null : nodes.map(processOf),
    };
  }
}
