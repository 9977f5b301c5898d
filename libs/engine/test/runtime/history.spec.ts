import type { Effect } from '../../src';
import { Driver } from '../support/driver';

type HistoryEffect = Extract<Effect, { type: 'history' }>;

const TAG_NAMES = new Set([
  'startEvent',
  'endEvent',
  'intermediateCatchEvent',
  'intermediateThrowEvent',
  'boundaryEvent',
  'task',
  'serviceTask',
  'sendTask',
  'receiveTask',
  'userTask',
  'manualTask',
  'scriptTask',
  'businessRuleTask',
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  'eventBasedGateway',
  'subProcess',
  'callActivity',
  'process',
  'multiInstanceBody',
]);

/** Checks the lifecycle of every element instance in a history: one ACTIVATED first, at most one end after it. */
function checkLifecycles(entries: HistoryEffect[]): void {
  const phase = new Map<string, 'active' | 'ended'>();
  for (const e of entries) {
    expect(TAG_NAMES).toContain(e.elementType);
    const seen = phase.get(e.elementInstanceId);
    const where = `${e.historyType} ${e.elementId} (${e.elementInstanceId})`;
    if (e.historyType === 'ELEMENT_ACTIVATED') {
      expect({ where, seen }).toEqual({ where, seen: undefined });
      phase.set(e.elementInstanceId, 'active');
    } else if (e.historyType === 'ELEMENT_COMPLETED' || e.historyType === 'ELEMENT_TERMINATED') {
      expect({ where, seen }).toEqual({ where, seen: 'active' });
      phase.set(e.elementInstanceId, 'ended');
    } else {
      // Incidents belong to an element instance that is active.
      expect({ where, seen }).toEqual({ where, seen: 'active' });
    }
  }
}

function historyOf(d: Driver): HistoryEffect[] {
  return d.effectLog.filter((e): e is HistoryEffect => e.type === 'history');
}

describe('history', () => {
  it('element types are BPMN tag names, `process` and `multiInstanceBody`; every element instance is activated once and ends at most once', async () => {
    const d = await Driver.load([
      'misc/cancel-everything.bpmn',
      'multi-instance/subprocess.bpmn',
      'events/error-event-subprocess.bpmn',
      'gateways/inclusive-loop.bpmn',
      'events/message-boundary-user-task.bpmn',
      'tasks/task-kinds.bpmn',
    ]);
    const a = d.start('cancel-everything', { items: [1], key: 'k' });
    d.completeJob(a, 'batch');
    d.broadcastSignal('status');
    d.cancel(a);
    const b = d.start('multi-instance-subprocess', { orders: [1, 2] });
    d.completeJob(b, 'price');
    d.completeUserTask(b, 'approve');
    d.completeJob(b, 'price');
    d.completeUserTask(b, 'approve');
    const c = d.start('error-event-subprocess');
    d.throwJobError(c, 'inner_job', 'NOPE');
    d.resolveIncident(c, 'inner_job');
    d.throwJobError(c, 'outer_job', 'FATAL');
    const e = d.start('inclusive-loop', { round: 0, doA: true, doB: true });
    for (let i = 0; i < 2; i++) {
      d.completeJob(e, 'task_a');
      d.completeJob(e, 'task_b');
    }
    const f = d.start('message-boundary-user-task', { applicationId: 'x' });
    d.publishMessage('document-uploaded', 'x');
    d.publishMessage('application-withdrawn', 'x');
    d.completeJob(f, 'attach_document');
    const g = d.start('task-kinds');
    d.completeJob(g, 'send_offer');
    d.completeJob(g, 'score');

    expect([a, b, c, e, f, g].map((id) => d.status(id))).toEqual([
      'CANCELED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ]);
    const entries = historyOf(d);
    checkLifecycles(entries);
    expect(new Set(entries.map((x) => x.elementType))).toEqual(
      new Set([
        'process',
        'startEvent',
        'endEvent',
        'parallelGateway',
        'serviceTask',
        'multiInstanceBody',
        'task',
        'eventBasedGateway',
        'userTask',
        'subProcess',
        'inclusiveGateway',
        'scriptTask',
        'exclusiveGateway',
        'boundaryEvent',
        'sendTask',
        'businessRuleTask',
        'manualTask',
      ]),
    );
    // Every entry carries the host's clock at the step that produced it.
    expect(entries.every((x) => x.at === Date.UTC(2026, 0, 1))).toBe(true);
  });

  it('containers: the body before its inner instances, inner instances before the body completes', async () => {
    const d = await Driver.load(['multi-instance/subprocess.bpmn']);
    const id = d.start('multi-instance-subprocess', { orders: ['x'] });
    d.completeJob(id, 'price', { total: 1 });
    d.completeUserTask(id, 'approve');
    expect(d.trail(id)).toEqual([
      'ELEMENT_ACTIVATED multi-instance-subprocess process',
      'ELEMENT_ACTIVATED start startEvent',
      'ELEMENT_COMPLETED start startEvent',
      'ELEMENT_ACTIVATED price_order multiInstanceBody',
      'ELEMENT_ACTIVATED price_order subProcess',
      'ELEMENT_ACTIVATED price_start startEvent',
      'ELEMENT_COMPLETED price_start startEvent',
      'ELEMENT_ACTIVATED price serviceTask',
      'ELEMENT_COMPLETED price serviceTask',
      'ELEMENT_ACTIVATED approve userTask',
      'ELEMENT_COMPLETED approve userTask',
      'ELEMENT_ACTIVATED price_end endEvent',
      'ELEMENT_COMPLETED price_end endEvent',
      'ELEMENT_COMPLETED price_order subProcess',
      'ELEMENT_COMPLETED price_order multiInstanceBody',
      'ELEMENT_ACTIVATED end endEvent',
      'ELEMENT_COMPLETED end endEvent',
      'ELEMENT_COMPLETED multi-instance-subprocess process',
    ]);
    expect(d.variables(id)).toEqual({ orders: ['x'], totals: [1] });
  });

  it('an event subprocess is activated by its trigger and completes before its scope', async () => {
    const d = await Driver.load(['events/error-event-subprocess.bpmn']);
    const id = d.start('error-event-subprocess');
    d.completeJob(id, 'outer_job');
    d.throwJobError(id, 'inner_job', 'FATAL');
    expect(d.trail(id).slice(-15)).toEqual([
      'ELEMENT_ACTIVATED outer_end endEvent',
      'ELEMENT_COMPLETED outer_end endEvent',
      'ELEMENT_TERMINATED inner_job serviceTask',
      'ELEMENT_ACTIVATED sub_on_fatal subProcess',
      'ELEMENT_ACTIVATED sub_fatal_start startEvent',
      'ELEMENT_COMPLETED sub_fatal_start startEvent',
      'ELEMENT_ACTIVATED recover task',
      'ELEMENT_COMPLETED recover task',
      'ELEMENT_ACTIVATED recover_end endEvent',
      'ELEMENT_COMPLETED recover_end endEvent',
      'ELEMENT_COMPLETED sub_on_fatal subProcess',
      'ELEMENT_COMPLETED sub subProcess',
      'ELEMENT_ACTIVATED sub_after_end endEvent',
      'ELEMENT_COMPLETED sub_after_end endEvent',
      'ELEMENT_COMPLETED error-event-subprocess process',
    ]);
  });
});
