import { fixture, startApi, xmlPost, type ApiHarness } from './api-harness';

const PROBLEM = /^application\/problem\+json/;

interface Summary {
  id: string;
  version: number;
  startedAt: string;
}

/**
 * The cockpit's overview (`GET /api/v1/overview`) and the instance list's
 * filters by version, open incident, start time and a variable's value
 * (docs/cockpit.md), also as a batch's filter.
 *
 * Instances of `service-task` (a job `charge-card`):
 *   gold1   v1 {tier: "gold", amount: 150}       job completed: COMPLETED
 *   silver  v2 {tier: "silver"}                  job failed without retries: an incident
 *   gold2   v2 {tier: "gold", amount: 150, n: null}   waiting, its job held by worker `w`
 *   plain   v2 no variables                      canceled
 *   late    v2 {tier: "gold"}                    suspended
 */
describe('the overview and the instance list filters over HTTP', () => {
  let h: ApiHarness;
  const ids: Record<string, string> = {};
  const started: Record<string, string> = {};

  beforeAll(async () => {
    h = await startApi('api_overview');
    const xml = fixture('tasks/service-task.bpmn');
    for (const doc of [xml, xml.replace('name="Service task"', 'name="Service task v2"')]) {
      expect((await h.api('/processes', xmlPost(doc))).status).toBe(201);
    }
    const starts: [string, unknown][] = [
      ['gold1', { version: 1, variables: { tier: 'gold', amount: 150 } }],
      ['silver', { variables: { tier: 'silver' } }],
      ['gold2', { variables: { tier: 'gold', amount: 150, n: null } }],
      ['plain', {}],
      ['late', { variables: { tier: 'gold' } }],
    ];
    for (const [name, body] of starts) {
      const r = await h.json('POST', '/processes/service-task/instances', body);
      expect(r.status).toBe(201);
      ids[name] = r.body.id;
      // Distinct start times to the millisecond, for the start-time filter's bounds.
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await h.drain();
    const jobs = (await h.json('POST', '/jobs/activate', { type: 'charge-card', workerId: 'w', maxJobs: 10, lockDurationMs: 600_000 })).body.jobs as {
      id: string;
      instanceId: string;
    }[];
    const jobOf = (name: string) => jobs.find((j) => j.instanceId === ids[name])!.id;
    expect((await h.json('POST', `/jobs/${jobOf('gold1')}/complete`, { workerId: 'w' })).status).toBe(204);
    expect((await h.json('POST', `/jobs/${jobOf('silver')}/fail`, { workerId: 'w', errorMessage: 'declined', retries: 0 })).status).toBe(204);
    expect((await h.json('POST', `/instances/${ids.plain}/cancel`)).status).toBe(200);
    expect((await h.json('POST', `/instances/${ids.late}/suspend`)).status).toBe(200);
    await h.drain();
    const all = (await h.json('GET', '/instances?limit=100')).body.items as Summary[];
    for (const [name, id] of Object.entries(ids)) started[name] = all.find((i) => i.id === id)!.startedAt;
  }, 60_000);
  afterAll(() => h?.close());

  const list = async (query: string): Promise<string[]> => {
    const r = await h.json('GET', `/instances?${query}`);
    expect(`${query} ${r.status}`).toBe(`${query} 200`);
    const names = Object.fromEntries(Object.entries(ids).map(([n, id]) => [id, n]));
    return (r.body.items as Summary[]).map((i) => names[i.id]);
  };
  const refused = async (query: string, field: string) => {
    const r = await h.json('GET', `/instances?${query}`);
    expect(`${query} ${r.status}`).toBe(`${query} 400`);
    expect(r.headers.get('content-type')).toMatch(PROBLEM);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  };

  describe('GET /api/v1/overview', () => {
    it('answers instances by state, incidents, throughput, jobs, processes and the queue', async () => {
      const r = await h.json('GET', '/overview');
      expect(r.status).toBe(200);
      const o = r.body;
      const n = (count: number) => ({ count, capped: false });
      expect(o.instances).toEqual({ active: n(2), suspended: n(1), completed: n(1), canceled: n(1), withIncident: n(1) });
      expect(o.incidents).toEqual({ open: n(1) });
      expect(o.throughput.minutes).toBe(60);
      expect(o.throughput.perMinute).toHaveLength(60);
      const minutes = o.throughput.perMinute.map((m: { minute: string }) => Date.parse(m.minute));
      expect(minutes.every((t: number, i: number) => i === 0 || t - minutes[i - 1] === 60_000)).toBe(true);
      expect(minutes[59]).toBe(Math.floor(Date.parse(o.at) / 60_000) * 60_000);
      expect(o.throughput).toMatchObject({ started: 5, completed: 1, canceled: 1 });
      const sum = (f: string) => o.throughput.perMinute.reduce((s: number, m: Record<string, number>) => s + m[f], 0);
      expect([sum('started'), sum('completed'), sum('canceled')]).toEqual([5, 1, 1]);
      // gold2 and late hold leased jobs of `w`; none waits for a worker.
      expect(o.jobs).toEqual({ backlog: n(0), backlogByType: [], workers: [{ worker: 'w', types: ['charge-card'], jobs: 2 }] });
      const self = o.processes.find((p: { pid: number }) => p.pid === process.pid);
      expect(self).toMatchObject({ app: expect.stringMatching(/^(api|baton)$/), node: expect.any(Number), consumes: expect.arrayContaining(['HTTP requests']) });
      expect(Date.parse(self.leaseUntil)).toBeGreaterThan(Date.now());
      expect(o.tokenQueue).toEqual({ bus: 'in-process', depth: 0 });
    });

    it('answers the RabbitMQ queue depth in server mode', async () => {
      const rabbit = await startApi('api_overview_rabbit', { RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672', WORK_QUEUE: `baton.overview.${process.pid}.${Date.now()}` });
      try {
        const o = (await rabbit.json('GET', '/overview')).body;
        expect(o.tokenQueue).toEqual({ bus: 'rabbitmq', depth: 0 });
        expect(o.instances.active).toEqual({ count: 0, capped: false });
      } finally {
        await rabbit.close();
      }
    }, 60_000);
  });

  describe('GET /api/v1/instances filters', () => {
    it('filters by process version (with the process)', async () => {
      expect(await list('processKey=service-task&version=1')).toEqual(['gold1']);
      expect(await list('processKey=service-task&version=2')).toEqual(['late', 'plain', 'gold2', 'silver']);
      expect(await list('processKey=service-task&version=3')).toEqual([]);
      await refused('version=1', 'version');
      await refused('processKey=service-task&version=0', 'version');
      await refused('processKey=service-task&version=v1', 'version');
    });

    it('filters by open incident', async () => {
      expect(await list('hasIncident=true')).toEqual(['silver']);
      expect(await list('hasIncident=false')).toEqual(['late', 'plain', 'gold2', 'gold1']);
      expect(await list('hasIncident=true&status=COMPLETED')).toEqual([]);
      await refused('hasIncident=yes', 'hasIncident');
    });

    it('filters by start time: from inclusive, to exclusive', async () => {
      expect(await list(`startedFrom=${encodeURIComponent(started.gold2)}`)).toEqual(['late', 'plain', 'gold2']);
      expect(await list(`startedTo=${encodeURIComponent(started.gold2)}`)).toEqual(['silver', 'gold1']);
      expect(await list(`startedFrom=${encodeURIComponent(started.silver)}&startedTo=${encodeURIComponent(started.plain)}`)).toEqual(['gold2', 'silver']);
      // An offset other than Z names the same instant.
      const plus2 = new Date(Date.parse(started.gold2) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      expect(await list(`startedFrom=${encodeURIComponent(plus2)}`)).toEqual(['late', 'plain', 'gold2']);
      expect(await list('startedTo=2021-01-01T00:00:00Z')).toEqual([]);
      // Instants far from now: before keys' epoch, after the last time a key can carry.
      expect(await list('startedTo=1970-01-01T00:00:00Z')).toEqual([]);
      expect(await list('startedFrom=0001-01-01T00:00:00Z&startedTo=9999-12-31T23:59:59Z')).toEqual(['late', 'plain', 'gold2', 'silver', 'gold1']);
      expect(await list('startedFrom=9999-12-31T23:59:59Z')).toEqual([]);
      expect(await list('startedFrom=2021-01-01T00:00:00Z&limit=2')).toEqual(['late', 'plain']);
      await refused('startedFrom=yesterday', 'startedFrom');
      await refused('startedTo=2026-12-07', 'startedTo');
      await refused(`startedFrom=${encodeURIComponent(started.plain)}&startedTo=${encodeURIComponent(started.gold1)}`, 'startedFrom');
    });

    it("filters by a process variable's value, compared as JSON", async () => {
      expect(await list(`variableName=tier&variableValue=${encodeURIComponent('"gold"')}`)).toEqual(['late', 'gold2', 'gold1']);
      expect(await list('variableName=amount&variableValue=150')).toEqual(['gold2', 'gold1']);
      expect(await list('variableName=amount&variableValue=150.0')).toEqual(['gold2', 'gold1']);
      expect(await list(`variableName=amount&variableValue=${encodeURIComponent('"150"')}`)).toEqual([]);
      expect(await list('variableName=n&variableValue=null')).toEqual(['gold2']);
      // The name alone: the variable is set (to anything, null too).
      expect(await list('variableName=n')).toEqual(['gold2']);
      expect(await list('variableName=tier')).toEqual(['late', 'gold2', 'silver', 'gold1']);
      await refused('variableName=tier&variableValue=gold', 'variableValue');
      await refused(`variableValue=${encodeURIComponent('"gold"')}`, 'variableValue');
      await refused('variableName=', 'variableName');
    });

    it('combines filters, pages them by cursor, and refuses an unknown one', async () => {
      const query = `processKey=service-task&version=2&variableName=tier&variableValue=${encodeURIComponent('"gold"')}&hasIncident=false&startedFrom=2021-01-01T00:00:00Z`;
      expect(await list(query)).toEqual(['late', 'gold2']);
      const first = await h.json('GET', `/instances?${query}&limit=1`);
      expect(first.body.items.map((i: Summary) => i.id)).toEqual([ids.late]);
      const second = await h.json('GET', `/instances?${query}&limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((i: Summary) => i.id)).toEqual([ids.gold2]);
      expect(second.body.nextCursor).toBeNull();
      await refused('color=red', 'color');
    });
  });

  describe('POST /api/v1/batches with the new filters', () => {
    it('acts on the instances the list filter matches, and refuses a bad one naming it', async () => {
      const bad = await h.json('POST', '/batches', { type: 'CANCEL_PROCESS_INSTANCE', filter: { version: 2 } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['version']);
      const badValue = await h.json('POST', '/batches', { type: 'CANCEL_PROCESS_INSTANCE', filter: { variableValue: 'gold' } });
      expect(badValue.status).toBe(400);
      expect(badValue.body.errors.map((e: { field: string }) => e.field)).toEqual(['variableValue']);
      const badTime = await h.json('POST', '/batches', { type: 'CANCEL_PROCESS_INSTANCE', filter: { startedFrom: 'today' } });
      expect(badTime.status).toBe(400);
      expect(JSON.stringify(badTime.body.errors)).toContain('filter.startedFrom');
      expect((await h.json('GET', '/batches')).body.items).toEqual([]);

      const filter = { processKey: 'service-task', version: 2, variableName: 'tier', variableValue: 'gold', hasIncident: false, startedFrom: started.gold1 };
      const created = await h.json('POST', '/batches', { type: 'CANCEL_PROCESS_INSTANCE', filter });
      expect(created.status).toBe(201);
      expect(created.body.total).toBe(2); // late and gold2
      expect(created.body.filter).toEqual({ ...filter, startedFrom: new Date(started.gold1).toISOString() });
    });
  });

  describe('GET /api/v1/overview, later', () => {
    it('counts the backlog by type, and answers 304 to a poll while nothing changed', async () => {
      const id = (await h.json('POST', '/processes/service-task/instances')).body.id as string;
      await h.drain();
      await new Promise((resolve) => setTimeout(resolve, 2_100)); // past the answer's reuse
      const first = await h.api('/overview');
      const body = (await first.json()) as { jobs: { backlog: unknown; backlogByType: unknown } };
      expect(body.jobs.backlog).toEqual({ count: 1, capped: false });
      expect(body.jobs.backlogByType).toEqual([{ type: 'charge-card', count: 1 }]);
      const etag = first.headers.get('etag');
      expect(etag).toBeTruthy();
      const again = await h.api('/overview', { headers: { 'if-none-match': etag! } });
      expect(again.status).toBe(304);
      expect((await h.json('POST', `/instances/${id}/cancel`)).status).toBe(200);
    });
  });
});
