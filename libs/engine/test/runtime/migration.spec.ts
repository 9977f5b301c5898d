import {
  migrateInstance,
  MigrationRefusedError,
  type Effect,
  type InstanceState,
  type MigrationMapping,
  type MigrationResult,
} from '../../src';
import { Driver } from '../support/driver';

/**
 * Process instance migration (Camunda 8.8's MigrateProcessInstance): the
 * state rewrite and every refusal, on the fixtures in `migration/`. `migrate`
 * plays the host: the driver's rows follow the result (jobs and tasks get
 * their new element id, renamed subscriptions move, effects are applied).
 */
const FILES = [
  'order',
  'order-v2',
  'join',
  'join-v2',
  'join-v3',
  'many',
  'waiting',
  'waiting-v2',
  'esp',
  'esp-v2',
  'ebg',
  'ebg-v2',
  'merge',
];

describe('process instance migration', () => {
  const load = () =>
    Driver.load([...FILES.map((f) => `migration/${f}.bpmn`), 'ad-hoc/active-elements.bpmn']);
  const pairs = (m: Record<string, string>): MigrationMapping[] =>
    Object.entries(m).map(([sourceElementId, targetElementId]) => ({
      sourceElementId,
      targetElementId,
    }));

  function migrate(
    d: Driver,
    id: string,
    targetId: string,
    mapping: Record<string, string>,
  ): MigrationResult {
    const inst = d.instance(id);
    const before = JSON.stringify(inst.state);
    const result = migrateInstance(
      inst.process,
      d.process(targetId),
      JSON.parse(before) as InstanceState,
      pairs(mapping),
      d.env,
    );
    inst.process = d.process(targetId);
    inst.state = JSON.parse(JSON.stringify(result.state)) as InstanceState;
    const newIds = new Map(result.elements.map((e) => [e.elementInstanceId, e.targetElementId]));
    for (const job of d.jobs.values())
      job.elementId = newIds.get(job.elementInstanceId) ?? job.elementId;
    for (const task of d.userTasks.values())
      task.elementId = newIds.get(task.elementInstanceId) ?? task.elementId;
    for (const r of result.renamed) {
      const table = r.kind === 'timer' ? d.timers : r.kind === 'message' ? d.messages : d.signals;
      const row = table.get(r.fromKey) as { elementId: string };
      table.delete(r.fromKey);
      (table as Map<string, unknown>).set(r.toKey, { ...row, elementId: r.elementId });
    }
    const host = d as unknown as { interpret(inst: unknown, effect: Effect): void };
    for (const effect of result.effects) host.interpret(inst, effect);
    return result;
  }

  function refusal(
    d: Driver,
    id: string,
    targetId: string,
    mapping: Record<string, string>,
  ): MigrationRefusedError {
    const inst = d.instance(id);
    const before = JSON.stringify(inst.state);
    try {
      migrateInstance(inst.process, d.process(targetId), inst.state, pairs(mapping), d.env);
    } catch (e) {
      expect(e).toBeInstanceOf(MigrationRefusedError);
      // Nothing changed: the input state is as it was.
      expect(JSON.stringify(inst.state)).toBe(before);
      return e as MigrationRefusedError;
    }
    throw new Error('the migration was not refused');
  }

  async function atCharge(): Promise<{ d: Driver; id: string }> {
    const d = await load();
    const id = d.start('order', { orderId: 'o-1' });
    expect(d.tokenElements(id)).toEqual(['charge:WAITING']);
    return { d, id };
  }

  it('moves a job to the target element: same key, type and retries; then the instance follows the new flow', async () => {
    const { d, id } = await atCharge();
    const [job] = d.jobsOf(id, 'charge');
    const timerBefore = [...d.timers.values()][0];
    d.advance(10 * 60_000);
    const result = migrate(d, id, 'order_v2', { charge: 'charge2', late: 'late2' });

    expect(d.instance(id).state.processId).toBe('order_v2');
    expect(d.tokenElements(id)).toEqual(['charge2:WAITING']);
    const [moved] = d.jobsOf(id, 'charge2');
    // Zeebe keeps the job: its key, type and retries do not change, only its element.
    expect(moved).toMatchObject({
      key: job.key,
      jobType: 'charge',
      retries: 5,
      elementInstanceId: job.elementInstanceId,
    });
    // The mapped timer keeps its due time under its new catch event; the unmapped message
    // subscription is gone; the target's new signal boundary event subscribed.
    expect([...d.timers.entries()]).toEqual([
      [`${job.elementInstanceId}:late2`, { ...timerBefore, elementId: 'late2' }],
    ]);
    expect(result.renamed).toEqual([
      {
        kind: 'timer',
        ownerInstanceId: job.elementInstanceId,
        fromKey: `${job.elementInstanceId}:late`,
        toKey: `${job.elementInstanceId}:late2`,
        elementId: 'late2',
        interrupting: true,
      },
    ]);
    expect([...d.messages.values()]).toEqual([]);
    expect([...d.signals.values()].map((s) => [s.elementId, s.name])).toEqual([['halted', 'halt']]);
    // History records the move of each element instance; variables are untouched.
    expect(d.history.get(id)?.filter((h) => h.startsWith('ELEMENT_MIGRATED'))).toEqual([
      'ELEMENT_MIGRATED order_v2 process',
      'ELEMENT_MIGRATED charge2 serviceTask',
    ]);
    expect(d.variables(id)).toEqual({ orderId: 'o-1' });

    d.completeJob(id, 'charge2');
    expect(d.tokenElements(id)).toEqual(['review:WAITING']);
    expect(d.signals.size).toBe(0);
    d.completeUserTask(id, 'review');
    d.completeJob(id, 'pack2');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-3)).toEqual(['fulfil2', 'end', 'order_v2']);
  });

  it('keeps the mapped timer firing on the target: the boundary event of the target is taken', async () => {
    const { d, id } = await atCharge();
    migrate(d, id, 'order_v2', { charge: 'charge2', late: 'late2' });
    d.advance(60 * 60_000);
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-2)).toEqual(['lateEnd', 'order_v2']);
  });

  it('moves elements inside a subprocess when the subprocess is mapped too', async () => {
    const { d, id } = await atCharge();
    d.completeJob(id, 'charge');
    expect(d.tokenElements(id)).toEqual(['pack:WAITING']);
    migrate(d, id, 'order_v2', { fulfil: 'fulfil2', pack: 'pack2' });
    expect(d.tokenElements(id)).toEqual(['pack2:WAITING']);
    // The target's boundary timer on pack2 was subscribed for the migrated element.
    expect([...d.timers.values()].map((t) => t.elementId)).toEqual(['packLate']);
    d.completeJob(id, 'pack2');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-3)).toEqual(['fulfil2', 'end', 'order_v2']);
  });

  it('renames the subscription of an intermediate catch event and keeps its due time', async () => {
    const d = await load();
    const id = d.start('waiting');
    const due = [...d.timers.values()][0].dueAt;
    migrate(d, id, 'waiting_v2', { wait: 'pause' });
    expect([...d.timers.values()].map((t) => [t.elementId, t.dueAt])).toEqual([['pause', due]]);
    d.advance(10 * 60_000);
    expect(d.tokenElements(id)).toEqual(['afterPause:WAITING']);
  });

  it('moves a token waiting at a parallel join when the flow it arrived on exists in the target', async () => {
    const d = await load();
    const id = d.start('join');
    d.completeJob(id, 'a');
    expect(d.tokenElements(id).sort()).toEqual(['b:WAITING', 'merge:WAITING']);
    migrate(d, id, 'join_v2', { a: 'a', b: 'b', merge: 'merge2' });
    d.completeJob(id, 'b');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-3)).toEqual(['merge2', 'end2', 'join_v2']);
  });

  it('moves a multi-instance body and its inner instances together', async () => {
    const d = await load();
    const id = d.start('many');
    expect(d.jobsOf(id, 'each')).toHaveLength(2);
    migrate(d, id, 'order_v2', { each: 'chargeMany' });
    expect(d.tokenElements(id)).toEqual(['chargeMany:WAITING', 'chargeMany:WAITING']);
    d.completeJob(id, 'chargeMany');
    d.completeJob(id, 'chargeMany');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.completed(id).slice(-2)).toEqual(['otherEnd', 'order_v2']);
  });

  it("the process's event subprocesses: a mapped start keeps its subscription, an unmapped one goes, a new one subscribes", async () => {
    const d = await load();
    const id = d.start('esp', { key: 'k-1' });
    expect([...d.messages.values()].map((m) => m.elementId)).toEqual(['noteStart']);
    expect([...d.timers.values()].map((t) => t.elementId)).toEqual(['timeoutStart']);
    migrate(d, id, 'esp_v2', { work: 'work', noteStart: 'noteStart2' });
    expect([...d.messages.values()].map((m) => [m.elementId, m.name, m.correlationKey])).toEqual([
      ['noteStart2', 'note', 'k-1'],
    ]);
    expect(d.timers.size).toBe(0);
    expect([...d.signals.values()].map((s) => s.elementId)).toEqual(['haltStart']);
    // The renamed subscription triggers the target's event subprocess.
    expect(d.publishMessage('note', 'k-1')).toBe(1);
    expect(d.tokenElements(id).sort()).toEqual(['readNote:WAITING', 'work:WAITING']);
  });

  it("an event-based gateway: its mapped event keeps its subscription, the others follow the target's events", async () => {
    const d = await load();
    const id = d.start('ebg', { key: 'k-2' });
    expect(d.tokenElements(id)).toEqual(['gw:WAITING']);
    migrate(d, id, 'ebg_v2', { gw: 'gw2', paidEvt: 'paidEvt2' });
    expect(d.tokenElements(id)).toEqual(['gw2:WAITING']);
    expect([...d.messages.values()].map((m) => m.elementId)).toEqual(['paidEvt2']);
    expect(d.timers.size).toBe(0);
    expect([...d.signals.values()].map((s) => s.elementId)).toEqual(['haltEvt']);
    expect(d.publishMessage('paid', 'k-2')).toBe(1);
    expect(d.tokenElements(id)).toEqual(['afterPaid:WAITING']);
    expect(d.signals.size).toBe(0);
  });

  describe('refusals (each names the element; nothing changes)', () => {
    it('an active element without a mapping: all of them are listed', async () => {
      const d = await load();
      const id = d.start('join');
      const e = refusal(d, id, 'join_v2', { merge: 'merge2' });
      expect(e.message).toContain("no mapping instruction for the active element(s) 'a', 'b'");
      expect(e.elementId).toBe('a');
    });

    it('duplicate source element ids, and element ids the processes do not have', async () => {
      const { d, id } = await atCharge();
      const inst = d.instance(id);
      const dup = () =>
        migrateInstance(
          inst.process,
          d.process('order_v2'),
          inst.state,
          [
            { sourceElementId: 'charge', targetElementId: 'charge2' },
            { sourceElementId: 'charge', targetElementId: 'packTop' },
          ],
          d.env,
        );
      expect(dup).toThrow("the mapping instructions contain duplicate source element ids 'charge'");
      expect(refusal(d, id, 'order_v2', { charge: 'charge2', nope: 'charge2' }).message).toContain(
        "the source element 'nope'",
      );
      expect(refusal(d, id, 'order_v2', { charge: 'gone' }).message).toContain(
        "the target element 'gone'",
      );
    });

    it('the element type changes', async () => {
      const { d, id } = await atCharge();
      const e = refusal(d, id, 'order_v2', { charge: 'chargeByHand' });
      expect(e.message).toContain(
        "the active element 'charge' of type 'serviceTask' is mapped to 'chargeByHand' of different type 'userTask'",
      );
      expect(e.elementId).toBe('charge');
    });

    it("an element's flow scope changes (out of its subprocess)", async () => {
      const { d, id } = await atCharge();
      d.completeJob(id, 'charge');
      const e = refusal(d, id, 'order_v2', { fulfil: 'fulfil2', pack: 'packTop' });
      expect(e.message).toContain(
        "the flow scope of the active element 'pack' would change: it is expected to be 'fulfil2' but the target element 'packTop' is in 'order_v2'",
      );
    });

    it('a plain element mapped to a multi-instance one, and a multi-instance body mapped to a plain one', async () => {
      const { d, id } = await atCharge();
      expect(refusal(d, id, 'order_v2', { charge: 'chargeMany' }).message).toContain(
        "is not multi-instance but is mapped to the multi-instance element 'chargeMany'",
      );
      const many = d.start('many');
      expect(refusal(d, many, 'order_v2', { each: 'charge2' }).message).toContain(
        "the active multi-instance element 'each' is mapped to 'charge2', which is not multi-instance",
      );
    });

    it('a catch event mapped to one of another element, or of another event type', async () => {
      const { d, id } = await atCharge();
      expect(refusal(d, id, 'order_v2', { charge: 'charge2', late: 'packLate' }).message).toContain(
        "the catch event 'late' of the active element 'charge' is mapped to 'packLate', which is not a catch event of the element it becomes",
      );
      const typed = refusal(d, id, 'order_v2', { charge: 'charge2', cancelled: 'halted' });
      expect(typed.message).toContain(
        "the catch event 'cancelled' (message) is mapped to 'halted' of a different event type (signal)",
      );
      expect(typed.elementId).toBe('cancelled');
    });

    it('an unmapped message catch event the target has under the same id (Zeebe: map it to keep the subscription)', async () => {
      const d = await load();
      const id = d.start('ebg', { key: 'k-3' });
      const e = refusal(d, id, 'ebg', { gw: 'gw' });
      expect(e.message).toContain(
        "would subscribe again through the unmapped message catch event 'paidEvt'",
      );
      migrate(d, id, 'ebg', { gw: 'gw', paidEvt: 'paidEvt' });
      expect([...d.messages.values()].map((m) => m.elementId)).toEqual(['paidEvt']);
    });

    it('two catch events mapped onto one (merged)', async () => {
      const d = await load();
      const id = d.start('merge_src');
      const e = refusal(d, id, 'merge_dst', { ms_work: 'md_work', ms_t1: 'md_t', ms_t2: 'md_t' });
      expect(e.message).toContain(
        "the catch events 'ms_t1', 'ms_t2' of the active element 'ms_work' are all mapped to 'md_t'; catch events cannot be merged",
      );
      expect(e.elementId).toBe('ms_t1');
    });

    it('a joining gateway whose arrived flow the target gateway does not have', async () => {
      const d = await load();
      const id = d.start('join');
      d.completeJob(id, 'a');
      const e = refusal(d, id, 'join_v3', { a: 'a', b: 'b', merge: 'merge' });
      expect(e.message).toContain(
        "the joining gateway 'merge' has a token that arrived on the sequence flow 'a_merge'",
      );
      expect(e.elementId).toBe('merge');
    });

    it('an active ad-hoc subprocess', async () => {
      const d = await load();
      const id = d.start('ad-hoc-active', { toRun: ['remote'] });
      expect(d.tokenElements(id)).toEqual(['remote:WAITING']);
      const e = refusal(d, id, 'ad-hoc-active', { work: 'work', remote: 'remote' });
      expect(e.message).toContain("the active element 'work' is a adHocSubProcess");
    });

    it('a token about to run (work in flight), and an ended instance', async () => {
      const { d, id } = await atCharge();
      const inst = d.instance(id);
      const charge = Object.values(inst.state.elements).find((e) => e.elementId === 'charge');
      const inFlight: InstanceState = JSON.parse(JSON.stringify(inst.state)) as InstanceState;
      if (charge === undefined) throw new Error('no charge element');
      inFlight.elements[charge.id] = {
        ...inFlight.elements[charge.id],
        state: 'READY',
        pending: 'complete',
      };
      expect(() =>
        migrateInstance(
          inst.process,
          d.process('order_v2'),
          inFlight,
          pairs({ charge: 'charge2' }),
          d.env,
        ),
      ).toThrow("the element 'charge' has work in flight");
      d.cancel(id);
      expect(refusal(d, id, 'order_v2', { charge: 'charge2' }).message).toContain(
        'it is CANCELED; only an active instance can be migrated',
      );
    });
  });
});
