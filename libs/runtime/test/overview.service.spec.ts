import { OverviewService, processOf, type OverviewCounts, type OverviewRepository, type ThroughputRow } from '../src/inspection/overview.service';

const none = { count: 0, capped: false };
const COUNTS: OverviewCounts = {
  instances: { ACTIVE: { count: 3, capped: false }, SUSPENDED: none, COMPLETED: { count: 10_000, capped: true }, CANCELED: none },
  instancesWithIncident: none,
  openIncidents: none,
  jobBacklog: none,
  jobBacklogByType: [],
  jobWorkers: [],
};

/** A repository counting its reads, answering after `readMs` of the test's clock. */
function repository(clock: { now: number }, rows: ThroughputRow[] = [], readMs = 0) {
  const calls: { tenants: readonly string[] | undefined; caps?: unknown; since?: Date }[] = [];
  const repo: OverviewRepository = {
    counts: async (tenants, caps) => {
      calls.push({ tenants, caps });
      clock.now += readMs;
      return COUNTS;
    },
    throughput: async (tenants, since) => {
      calls.push({ tenants, since });
      return rows;
    },
    liveNodes: async () => [{ node: 3, owner: 'worker@host-1:4242:5b0f7c1e-0000-4000-8000-000000000000', leaseUntil: new Date(0) }],
  };
  return { repo, calls };
}

describe('OverviewService', () => {
  const T = Date.UTC(2026, 11, 7, 15, 30, 20);

  it('answers sixty minutes oldest first, the current one last, minutes without rows as zeros', async () => {
    const clock = { now: T };
    const { repo, calls } = repository(clock, [
      { minute: new Date(Date.UTC(2026, 11, 7, 15, 30)), started: 4, completed: 1, canceled: 0 },
      { minute: new Date(Date.UTC(2026, 11, 7, 14, 31)), started: 2, completed: 0, canceled: 1 },
    ]);
    const o = await new OverviewService(repo, { clock: () => clock.now }).overview(undefined);
    expect(calls.find((c) => c.since !== undefined)?.since).toEqual(new Date(Date.UTC(2026, 11, 7, 14, 31)));
    expect(calls.find((c) => c.caps !== undefined)?.caps).toEqual({ live: 100_000, ended: 10_000 });
    expect(o.throughput.perMinute).toHaveLength(60);
    expect(o.throughput.perMinute[0]).toEqual({ minute: '2026-12-07T14:31:00.000Z', started: 2, completed: 0, canceled: 1 });
    expect(o.throughput.perMinute[59]).toEqual({ minute: '2026-12-07T15:30:00.000Z', started: 4, completed: 1, canceled: 0 });
    expect(o.throughput.perMinute[30]).toEqual({ minute: '2026-12-07T15:01:00.000Z', started: 0, completed: 0, canceled: 0 });
    expect([o.throughput.started, o.throughput.completed, o.throughput.canceled]).toEqual([6, 1, 1]);
    expect(o.instances.completed).toEqual({ count: 10_000, capped: true });
    expect(o.processes).toEqual([
      { node: 3, app: 'worker', host: 'host-1', pid: 4242, consumes: ['token queue', 'timers', 'batch chunks'], leaseUntil: '1970-01-01T00:00:00.000Z' },
    ]);
  });

  it('shows no processes to a caller confined to tenants, and reuses an answer per tenant scope', async () => {
    const clock = { now: T };
    const { repo, calls } = repository(clock);
    const service = new OverviewService(repo, { clock: () => clock.now, reuseMs: 2_000 });
    expect((await service.overview(['a'])).processes).toBeNull();
    await service.overview(['a']);
    await service.overview(undefined);
    expect(calls.filter((c) => c.caps !== undefined).map((c) => c.tenants)).toEqual([['a'], undefined]);
    clock.now += 2_000;
    await service.overview(['a']);
    expect(calls.filter((c) => c.caps !== undefined)).toHaveLength(3);
  });

  it('reuses an answer five times as long as it took to read, when that is longer', async () => {
    const clock = { now: T };
    const { repo, calls } = repository(clock, [], 1_000);
    const service = new OverviewService(repo, { clock: () => clock.now, reuseMs: 2_000 });
    await service.overview(undefined);
    clock.now += 3_500; // 4.5 s after the read began: still within 5 x 1 s
    await service.overview(undefined);
    expect(calls.filter((c) => c.caps !== undefined)).toHaveLength(1);
    clock.now += 1_000;
    await service.overview(undefined);
    expect(calls.filter((c) => c.caps !== undefined)).toHaveLength(2);
  });

  it('reads an owner it does not know as the app, without host or pid', () => {
    expect(processOf({ node: 1, owner: 'something else', leaseUntil: new Date(0) })).toMatchObject({ app: 'something else', host: '', pid: null, consumes: [] });
    expect(processOf({ node: 2, owner: 'baton@my:host:77:uuid', leaseUntil: new Date(0) })).toMatchObject({ app: 'baton', host: 'my:host', pid: 77 });
  });
});
