import {
  backoffMs,
  ExportDispatcher,
  type ExportDeadLetter,
  type ExportLag,
  type ExportRecord,
  type ExportRepository,
  type ExportSink,
  type ExportSinkName,
  type ExportSinkState,
  type Key,
} from '../../src';

/** The dispatcher's repository in memory: one sink, records in id order. */
class FakeRepository implements ExportRepository {
  records: ExportRecord[] = [];
  state_: ExportSinkState = { attempts: 0, nextAttemptAt: null, lastError: null };
  dead: { record: ExportRecord; attempts: number; error: string }[] = [];
  holder: string | null = null;

  async lease(_sink: ExportSinkName, owner: string): Promise<boolean> {
    if (this.holder !== null && this.holder !== owner) return false;
    this.holder = owner;
    return true;
  }
  async release(_sink: ExportSinkName, owner: string): Promise<void> {
    if (this.holder === owner) this.holder = null;
  }
  async pending(_sink: ExportSinkName, limit: number): Promise<ExportRecord[]> {
    return this.records.slice(0, limit);
  }
  async delivered(_sink: ExportSinkName, ids: readonly Key[]): Promise<void> {
    this.records = this.records.filter((r) => !ids.includes(r.id));
  }
  async state(): Promise<ExportSinkState> {
    return this.state_;
  }
  async setState(_sink: ExportSinkName, state: ExportSinkState): Promise<void> {
    this.state_ = state;
  }
  async deadLetter(_sink: ExportSinkName, record: ExportRecord, attempts: number, error: string): Promise<void> {
    this.dead.push({ record, attempts, error });
    this.records = this.records.filter((r) => r.id !== record.id);
    this.state_ = { attempts: 0, nextAttemptAt: null, lastError: null };
  }
  async lag(): Promise<ExportLag> {
    return { records: this.records.length, oldestAgeSeconds: 0 };
  }
  async deadLetters(): Promise<ExportDeadLetter[]> {
    return [];
  }
  async retryDeadLetter(): Promise<boolean> {
    return false;
  }
}

const record = (id: number): ExportRecord => ({
  id: String(id),
  instanceId: '1',
  bpmnProcessId: 'p',
  type: 'ELEMENT_ACTIVATED',
  payload: {},
  createdAt: new Date(0),
});

/** A sink that refuses the records in `refuse` (each time) and takes the rest in order. */
class ScriptedSink implements ExportSink {
  readonly name = 'webhook' as const;
  readonly got: string[] = [];
  constructor(readonly refuse: Set<string>) {}
  async deliver(records: readonly ExportRecord[]) {
    for (let i = 0; i < records.length; i++) {
      if (this.refuse.has(records[i].id)) return { delivered: i, error: new Error(`refused ${records[i].id}`) };
      this.got.push(records[i].id);
    }
    return { delivered: records.length };
  }
}

describe('backoffMs', () => {
  it('doubles from the base up to 5 minutes (exponential), or waits the base (fixed)', () => {
    const exponential = { kind: 'exponential', delayMs: 1_000 } as const;
    expect([1, 2, 3, 4].map((n) => backoffMs(exponential, n))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(exponential, 40)).toBe(300_000);
    expect([1, 5].map((n) => backoffMs({ kind: 'fixed', delayMs: 250 }, n))).toEqual([250, 250]);
  });
});

describe('ExportDispatcher', () => {
  let now = 0;
  const make = (repository: FakeRepository, sink: ExportSink, maxAttempts = 3) =>
    new ExportDispatcher(repository, [sink], { batchSize: 3, maxAttempts, backoff: { kind: 'fixed', delayMs: 100 }, owner: 'me', clock: () => now });

  beforeEach(() => {
    now = 0;
  });

  it('stops at a failed record, keeps what came before, and tries nothing after it until the backoff passed', async () => {
    const repository = new FakeRepository();
    repository.records = [1, 2, 3, 4, 5].map(record);
    const sink = new ScriptedSink(new Set(['2']));
    const dispatcher = make(repository, sink);
    await dispatcher.pass();
    expect(sink.got).toEqual(['1']);
    expect(repository.records.map((r) => r.id)).toEqual(['2', '3', '4', '5']);
    expect(repository.state_).toMatchObject({ attempts: 1, nextAttemptAt: new Date(100), lastError: 'refused 2' });

    await dispatcher.pass();
    expect(repository.state_.attempts).toBe(1);

    sink.refuse.clear();
    now = 100;
    await dispatcher.pass();
    expect(sink.got).toEqual(['1', '2', '3', '4', '5']);
    expect(repository.state_).toEqual({ attempts: 0, nextAttemptAt: null, lastError: null });
    expect(repository.holder).toBeNull();
  });

  it('dead-letters a record after maxAttempts failures in a row and goes on with the next', async () => {
    const repository = new FakeRepository();
    repository.records = [1, 2, 3].map(record);
    const sink = new ScriptedSink(new Set(['1']));
    const dispatcher = make(repository, sink);
    for (let i = 0; i < 3; i++) {
      await dispatcher.pass();
      now += 100;
    }
    expect(repository.dead).toEqual([{ record: record(1), attempts: 3, error: 'refused 1' }]);
    expect(sink.got).toEqual(['2', '3']);
    expect(repository.records).toEqual([]);
  });

  it('does nothing while another process holds the sink', async () => {
    const repository = new FakeRepository();
    repository.records = [record(1)];
    repository.holder = 'other';
    const sink = new ScriptedSink(new Set());
    await make(repository, sink).pass();
    expect(sink.got).toEqual([]);
    expect(repository.holder).toBe('other');
  });
});
