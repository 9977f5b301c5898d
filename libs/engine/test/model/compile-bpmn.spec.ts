import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileBpmn, type ValueSource } from '../../src/model';
import {
  around,
  BPMN_FIXTURES,
  compileFixture,
  node,
  processXml,
  readFixture,
} from './model-test-helpers';

/** Fixture folders of models that must be refused. */
const REFUSED_DIRS = new Set(['invalid', 'refused']);

function listFixtures(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return REFUSED_DIRS.has(name) ? [] : listFixtures(path);
    return name.endsWith('.bpmn') ? [relative(BPMN_FIXTURES, path)] : [];
  });
}

function literalOf(source: ValueSource | undefined): string | undefined {
  return source?.kind === 'literal' ? source.value : undefined;
}

function expressionOf(source: ValueSource | undefined): string | undefined {
  return source?.kind === 'expression' ? source.expression.source : undefined;
}

describe('compileBpmn: valid fixtures', () => {
  it.each(listFixtures(BPMN_FIXTURES))('%s compiles', async (path) => {
    const result = await compileBpmn(readFixture(path));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});

describe('compileBpmn: graph shape', () => {
  it('exclusive gateway: flows in document order, default flow, compiled condition', async () => {
    const p = await compileFixture('gateways/exclusive-default.bpmn');
    expect(p.id).toBe('exclusive-default');
    expect(p.name).toBe('Exclusive gateway with default flow');
    expect(p.flows.size).toBe(5);
    expect(p.startEvents).toEqual({ none: ['start'], message: [], timer: [], signal: [], conditional: [] });
    const split = node(p, 'split');
    expect(split.type).toBe('exclusiveGateway');
    expect(split.scopeId).toBe('exclusive-default');
    expect(split.incoming).toEqual(['f_start']);
    expect(split.outgoing.map((f) => f.id)).toEqual(['f_high', 'f_low']);
    expect(split.defaultFlowId).toBe('f_low');
    const [high, low] = split.outgoing;
    expect(high).toBe(p.flows.get('f_high'));
    expect(high.condition?.source).toBe('amount > 100');
    expect(high.condition?.evaluate({ amount: 150 })).toBe(true);
    expect(low.condition).toBeUndefined();
    expect(node(p, 'start').event).toEqual({ kind: 'none' });
    expect(node(p, 'end_high').event).toEqual({ kind: 'none' });
    expect(p.scope).toMatchObject({
      id: 'exclusive-default',
      type: 'process',
      noneStartEventIds: ['start'],
    });
  });

  it('parallel join: every incoming flow', async () => {
    const p = await compileFixture('gateways/parallel.bpmn');
    expect(node(p, 'join').incoming).toEqual(['f_a_join', 'f_b_join', 'f_c_join']);
    expect(node(p, 'fork').outgoing.map((f) => f.targetId)).toEqual(['task_a', 'task_b', 'task_c']);
    expect(p.scope.inclusiveJoinUpstream).toEqual({});
  });

  it('inclusive join: the nodes upstream of it, without the join itself', async () => {
    const p = await compileFixture('gateways/inclusive-partial-fork.bpmn');
    expect(p.scope.inclusiveJoinUpstream).toEqual({
      join: ['start', 'fork', 'check_a', 'check_b', 'check_c'],
    });
    expect(node(p, 'check_b').job?.type).toEqual({ kind: 'literal', value: 'check-b' });
  });

  it('inclusive join upstream counts boundary events as leaving their activity, and loops', async () => {
    const xml = processXml(`
      <bpmn:startEvent id="start" />
      <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="w" /></bpmn:extensionElements></bpmn:serviceTask>
      <bpmn:boundaryEvent id="late" attachedToRef="work" cancelActivity="false">
        <bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:boundaryEvent>
      <bpmn:task id="unrelated" />
      <bpmn:inclusiveGateway id="join" />
      <bpmn:exclusiveGateway id="again" default="f_done" />
      <bpmn:endEvent id="end" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
      <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="unrelated" />
      <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="join" />
      <bpmn:sequenceFlow id="f4" sourceRef="unrelated" targetRef="end" />
      <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="again" />
      <bpmn:sequenceFlow id="f_loop" sourceRef="again" targetRef="join"><bpmn:conditionExpression>= retry</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_done" sourceRef="again" targetRef="end" />`);
    const result = await compileBpmn(xml);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const p = result.definitions.processes[0];
    expect(p.scope.inclusiveJoinUpstream).toEqual({ join: ['start', 'work', 'late', 'again'] });
  });

  it('event-based gateway: targets and their event definitions', async () => {
    const p = await compileFixture('gateways/event-based.bpmn');
    expect(node(p, 'wait').eventTargets).toEqual(['payment', 'timeout', 'cancel']);
    const payment = node(p, 'payment').event;
    expect(payment?.kind).toBe('message');
    expect(literalOf(payment?.name)).toBe('payment-received');
    expect(expressionOf(payment?.correlationKey)).toBe('orderId');
    expect(node(p, 'timeout').event).toEqual({
      kind: 'timer',
      timer: { kind: 'duration', value: { kind: 'literal', value: 'PT1H' } },
    });
    expect(node(p, 'cancel').event).toEqual({
      kind: 'signal',
      name: { kind: 'literal', value: 'cancel-all' },
    });
  });

  it('service task: job type, retries and headers', async () => {
    const p = await compileFixture('tasks/service-task.bpmn');
    expect(node(p, 'charge').job).toEqual({
      type: { kind: 'literal', value: 'charge-card' },
      retries: { kind: 'literal', value: '5' },
      headers: { method: 'visa', region: 'eu' },
    });
    expect(node(p, 'charge').boundaryEventIds).toEqual([]);
    expect(node(p, 'charge').inputs).toEqual([]);
  });

  it('retries default to 3', async () => {
    const p = await compileFixture('events/error-boundary.bpmn');
    expect(node(p, 'charge').job).toEqual({
      type: { kind: 'literal', value: 'charge' },
      retries: { kind: 'literal', value: '3' },
      headers: {},
    });
  });

  it('user task: assignment, form, schedule', async () => {
    const p = await compileFixture('tasks/user-task.bpmn');
    const task = node(p, 'approve').userTask;
    expect(expressionOf(task?.assignee)).toBe('owner');
    expect(literalOf(task?.candidateGroups)).toBe('sales, managers');
    expect(literalOf(task?.candidateUsers)).toBe('anna');
    expect(task?.formKey).toBe('approve-form');
    expect(literalOf(task?.dueDate)).toBe('2026-01-31T12:00:00Z');
    expect(expressionOf(task?.followUpDate)).toBe('followUpAt');
  });

  it('script task and receive task', async () => {
    const script = node(await compileFixture('tasks/script-task.bpmn'), 'add').script;
    expect(script?.expression.source).toBe('a + b');
    expect(script?.resultVariable).toBe('sum');
    expect(script?.expression.evaluate({ a: 1, b: 2 })).toBe(3);

    const receive = node(await compileFixture('tasks/receive-task.bpmn'), 'wait_paid');
    expect(receive.event?.kind).toBe('message');
    expect(literalOf(receive.event?.name)).toBe('order-paid');
    expect(expressionOf(receive.event?.correlationKey)).toBe('orderId');
  });

  it('boundary events: wiring, interrupting, error codes and catch-all', async () => {
    const p = await compileFixture('events/error-boundary.bpmn');
    expect(node(p, 'charge').boundaryEventIds).toEqual(['payment_failed']);
    expect(node(p, 'payment_failed')).toMatchObject({
      attachedToId: 'charge',
      interrupting: true,
      event: { kind: 'error', errorCode: 'PAYMENT_FAILED' },
      boundaryEventIds: [],
    });
    expect(node(p, 'any_error').event).toEqual({ kind: 'error' });
    expect(node(p, 'validate_error').event).toEqual({
      kind: 'error',
      errorCode: 'VALIDATION_FAILED',
    });
    const validate = node(p, 'validate');
    expect(validate.boundaryEventIds).toEqual(['any_error']);
    expect(validate.triggeredByEvent).toBe(false);
    expect(validate.scope).toMatchObject({
      id: 'validate',
      type: 'subProcess',
      nodeIds: ['validate_start', 'valid', 'validate_ok', 'validate_error'],
      noneStartEventIds: ['validate_start'],
    });
    expect(node(p, 'valid').scopeId).toBe('validate');
    expect(p.scope.nodeIds).not.toContain('valid');
  });

  it('escalation: non-interrupting boundary with its code', async () => {
    const p = await compileFixture('events/escalation.bpmn');
    expect(node(p, 'on_review')).toMatchObject({
      interrupting: false,
      attachedToId: 'sub',
      event: { kind: 'escalation', escalationCode: 'NEEDS_REVIEW' },
    });
    expect(node(p, 'raise').event).toEqual({ kind: 'escalation', escalationCode: 'NEEDS_REVIEW' });
  });

  it('timer cycle boundary and timer start event', async () => {
    const cycle = await compileFixture('events/non-interrupting-timer-cycle.bpmn');
    expect(node(cycle, 'reminder')).toMatchObject({
      interrupting: false,
      event: {
        kind: 'timer',
        timer: { kind: 'cycle', value: { kind: 'literal', value: 'R3/PT10S' } },
      },
    });
    const start = await compileFixture('events/timer-start.bpmn');
    expect(start.startEvents).toEqual({ none: [], message: [], timer: ['hourly'], signal: [], conditional: [] });
    expect(start.scope.noneStartEventIds).toEqual([]);
  });

  it('message start next to a none start', async () => {
    const p = await compileFixture('events/message-start.bpmn');
    expect(p.startEvents).toEqual({
      none: ['start'],
      message: ['start_order'],
      timer: [],
      signal: [],
      conditional: [],
    });
    expect(literalOf(node(p, 'start_order').event?.name)).toBe('order-placed');
  });

  it('link events: catch by name per scope', async () => {
    const p = await compileFixture('events/link.bpmn');
    expect(p.scope.linkCatchByName).toEqual({ 'to-b': 'from_a' });
    expect(node(p, 'to_b').event).toEqual({ kind: 'link', linkName: 'to-b' });
  });

  it('terminate end event and signal throw', async () => {
    const terminate = await compileFixture('events/terminate-in-subprocess.bpmn');
    expect(node(terminate, 'terminate')).toMatchObject({
      scopeId: 'sub',
      event: { kind: 'terminate' },
    });
    const signal = await compileFixture('events/signal.bpmn');
    expect(node(signal, 'throw_done').event).toEqual({
      kind: 'signal',
      name: { kind: 'literal', value: 'proceeded' },
    });
  });

  it('event subprocesses per scope, interrupting by default', async () => {
    const p = await compileFixture('subprocess/event-subprocess-in-subprocess.bpmn');
    expect(p.scope.eventSubProcessIds).toEqual(['on_status']);
    expect(p.scope.nodeIds).toEqual(['start', 'sub', 'end', 'on_status']);
    const sub = node(p, 'sub');
    expect(sub.scope?.eventSubProcessIds).toEqual(['on_cancel']);
    expect(node(p, 'on_cancel')).toMatchObject({ triggeredByEvent: true, scopeId: 'sub' });
    expect(node(p, 'cancel_start')).toMatchObject({ interrupting: true, scopeId: 'on_cancel' });
    expect(node(p, 'status_start').interrupting).toBe(false);
    expect(node(p, 'on_status').scope?.noneStartEventIds).toEqual(['status_start']);
    expect(node(p, 'cleanup').scopeId).toBe('on_cancel');
    expect(p.startEvents.signal).toEqual([]);
  });

  it('nested subprocesses open nested scopes', async () => {
    const p = await compileFixture('subprocess/nested-subprocess.bpmn');
    expect(node(p, 'inner').scopeId).toBe('outer');
    expect(node(p, 'work').scopeId).toBe('inner');
    expect(node(p, 'inner').scope?.nodeIds).toEqual(['inner_start', 'work', 'inner_end']);
  });

  it('call activity: called element, propagation defaults, mappings', async () => {
    const p = await compileFixture('subprocess/call-activity.bpmn');
    const call = node(p, 'call_child');
    expect(call.calledElement).toEqual({
      processId: { kind: 'literal', value: 'call-activity-child' },
      propagateAllChildVariables: false,
      propagateAllParentVariables: true,
      bindingType: 'latest',
    });
    expect(call.inputs.map((m) => [m.source.source, m.target])).toEqual([['value', 'input']]);
    expect(call.outputs.map((m) => [m.source.source, m.target])).toEqual([['doubled', 'result']]);
  });

  it('call activity propagation defaults to true', async () => {
    const xml = around(
      '<bpmn:callActivity id="m"><bpmn:extensionElements><zeebe:calledElement processId="= childId" /></bpmn:extensionElements></bpmn:callActivity>',
    );
    const result = await compileBpmn(xml);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.definitions.processes[0].nodes.get('m')?.calledElement).toMatchObject({
      propagateAllChildVariables: true,
      propagateAllParentVariables: true,
      processId: { kind: 'expression' },
    });
  });

  it('multi-instance: parallel, sequential with completion condition, boundary on the body', async () => {
    const parallel = node(
      await compileFixture('multi-instance/parallel.bpmn'),
      'process_item',
    ).multiInstance;
    expect(parallel?.sequential).toBe(false);
    expect(parallel?.inputCollection?.source).toBe('items');
    expect(parallel?.inputElement).toBe('item');
    expect(parallel?.outputCollection).toBe('results');
    expect(parallel?.outputElement?.source).toBe('result');
    expect(parallel?.completionCondition).toBeUndefined();

    const sequential = node(
      await compileFixture('multi-instance/sequential-completion-condition.bpmn'),
      'times_ten',
    ).multiInstance;
    expect(sequential?.sequential).toBe(true);
    expect(sequential?.completionCondition?.source).toBe('numberOfCompletedInstances >= 2');

    const body = await compileFixture('multi-instance/boundary-on-body.bpmn');
    expect(node(body, 'process_item').boundaryEventIds).toEqual(['timeout']);
    expect(node(body, 'process_item').multiInstance?.outputCollection).toBeUndefined();
  });

  it('loopCardinality without an input collection', async () => {
    const xml = around(`<bpmn:task id="m">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">3</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics></bpmn:task>`);
    const result = await compileBpmn(xml);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const mi = result.definitions.processes[0].nodes.get('m')?.multiInstance;
    expect(mi?.loopCardinality?.source).toBe('3');
    expect(mi?.inputCollection).toBeUndefined();
  });

  it('io mappings: FEEL sources, static values, dotted targets', async () => {
    const p = await compileFixture('variables/io-mapping.bpmn');
    const charge = node(p, 'charge');
    expect(charge.inputs.map((m) => m.target)).toEqual(['total', 'currency', 'request']);
    expect(charge.inputs[0].source.source).toBe('order.total');
    expect(charge.inputs[1].source.evaluate({})).toBe('EUR');
    expect(charge.outputs.map((m) => m.target)).toEqual(['order.charged', 'receiptId']);
  });

  it('pools and lanes: the executable pool deploys, the other is reported as a warning', async () => {
    const result = await compileBpmn(readFixture('misc/pools-and-lanes.bpmn'));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.definitions.processes.map((p) => p.id)).toEqual(['pools-and-lanes']);
    expect(result.warnings).toEqual([
      expect.objectContaining({ elementId: 'customer', elementType: 'process' }),
    ]);
    expect(result.definitions.processes[0].nodes.has('order_ref')).toBe(false);
  });

  it('message throw events: a job with a task definition, a none event without one', async () => {
    const xml = processXml(
      `
      <bpmn:startEvent id="start" />
      <bpmn:intermediateThrowEvent id="plain"><bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>
      <bpmn:endEvent id="send">
        <bpmn:extensionElements><zeebe:taskDefinition type="send-mail" /></bpmn:extensionElements>
        <bpmn:messageEventDefinition messageRef="Message_1" />
      </bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="plain" />
      <bpmn:sequenceFlow id="f2" sourceRef="plain" targetRef="send" />`,
      '<bpmn:message id="Message_1" name="mail" />',
    );
    const result = await compileBpmn(xml);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const p = result.definitions.processes[0];
    expect(node(p, 'plain').event).toEqual({ kind: 'none' });
    expect(node(p, 'plain').job).toBeUndefined();
    expect(node(p, 'send').event?.kind).toBe('message');
    expect(literalOf(node(p, 'send').job?.type)).toBe('send-mail');
    expect(result.warnings).toEqual([expect.objectContaining({ elementId: 'plain' })]);
  });

  it('vendor extensions and data objects are ignored', async () => {
    const xml = around(
      `<bpmn:task id="m" xmlns:acme="http://acme.example/bpmn" acme:color="red">
        <bpmn:documentation>Does the work</bpmn:documentation>
        <bpmn:extensionElements><acme:retryPolicy max="3" /></bpmn:extensionElements>
      </bpmn:task>
      <bpmn:dataObject id="order" />
      <bpmn:dataObjectReference id="order_ref" dataObjectRef="order" />`,
    );
    const result = await compileBpmn(xml);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('compiled graphs are frozen', async () => {
    const p = await compileFixture('gateways/parallel.bpmn');
    expect(Object.isFrozen(node(p, 'join'))).toBe(true);
    expect(Object.isFrozen(node(p, 'join').incoming)).toBe(true);
    expect(Object.isFrozen(p.scope)).toBe(true);
  });
});
