import { compileBpmn, type CompiledDefinitions, type ValidationError } from '../../src/model';
import { Driver } from '../support/driver';
import { processXml, readFixture } from './model-test-helpers';

/**
 * Deploy parity with Camunda 8: Baton deploys what Zeebe deploys and refuses
 * what Zeebe refuses. Zeebe's rules are its design-time validators
 * (zeebe/bpmn-model/.../validation/zeebe/ZeebeDesignTimeValidators) and its
 * runtime validators (zeebe/engine/.../deployment/model/validation/
 * ZeebeRuntimeValidators). One row per rule:
 *
 * - `same`: Baton decides as Zeebe does (a row with a fixture proves it here);
 * - `differs`: Baton decides otherwise, for the reason given;
 * - `not yet`: Zeebe has the rule and Baton does not check it yet.
 *
 * Rows with a `fixture` are run: an `accepted` one must deploy (with the
 * warnings listed), a `refused` one must be refused with exactly the errors
 * listed, each naming its element.
 */

type Status = 'same' | 'differs' | 'not yet';

interface Expected {
  readonly elementId: string | null;
  readonly elementType: string | null;
  readonly message: RegExp;
}

interface Rule {
  readonly zeebe: string;
  readonly rule: string;
  readonly status: Status;
  readonly note?: string;
  readonly fixture?: string;
  /** accepted: the warnings, in order; refused: the errors, in order. */
  readonly expect?: readonly Expected[];
}

const w = (elementId: string, elementType: string, message: RegExp): Expected => ({
  elementId,
  elementType,
  message,
});

export const RULES: readonly Rule[] = [
  // ---------------------------------------------------------------- documents
  {
    zeebe: 'camunda-xml-model (no validator)',
    rule: 'diagram elements (BPMNShape/BPMNEdge/BPMNPlane) pointing at missing ids are not executable; the model deploys',
    status: 'same',
    note: 'Baton deploys with one warning per dangling diagram element',
    fixture: 'parity/accepted/di-dangling-element.bpmn',
    expect: [
      w('BPMNPlane_1', 'BPMNPlane', /bpmnElement refers to 'Process_deleted'.*not drawn/),
      w('Task_deleted_di', 'BPMNShape', /bpmnElement refers to 'Task_deleted'.*not drawn/),
      w('Flow_deleted_di', 'BPMNEdge', /bpmnElement refers to 'Flow_deleted'.*not drawn/),
    ],
  },
  {
    zeebe: 'camunda-xml-model QName references',
    rule: "a QName reference (messageRef=\"tns:Message_1\") resolves by its local name",
    status: 'same',
    fixture: 'parity/accepted/qname-message-ref.bpmn',
    expect: [],
  },
  {
    zeebe: 'camunda-xml-model (no validator)',
    rule: 'message flows are documentation: ends in other pools, at participants, in non-executable processes or dangling deploy',
    status: 'same',
    note: 'a dangling message flow end is a warning; the non-executable process is reported as not deployed',
    fixture: 'parity/accepted/collaboration-message-flows.bpmn',
    expect: [
      w('mf_dangling', 'messageFlow', /sourceRef refers to 'Deleted_task'.*ignored/),
      w('Customer', 'process', /not executable/),
    ],
  },
  {
    zeebe: 'ZeebeUserTaskFormValidator',
    rule: 'an embedded form (zeebe:userTaskForm) is text; markup such as <br /> in it deploys',
    status: 'same',
    note: "Baton keeps the markup as part of the text; an empty form body is 'not yet' checked",
    fixture: 'parity/accepted/user-task-form-markup.bpmn',
    expect: [],
  },
  // ----------------------------------------------------------- sequence flows
  {
    zeebe: 'ExclusiveGatewayValidator / SequenceFlowValidator',
    rule: 'a default flow with a condition deploys; the condition is ignored',
    status: 'same',
    note: 'Baton warns and drops the condition',
    fixture: 'parity/accepted/default-flow-with-condition.bpmn',
    expect: [w('f_default', 'sequenceFlow', /default flow of 'xor'.*condition, which is ignored/)],
  },
  {
    zeebe: 'FlowNodeValidator',
    rule: 'conditional sequence flows only leave exclusive or inclusive gateways',
    status: 'same',
    note: 'Baton used to evaluate conditions on flows out of activities; now refused as in Zeebe',
    fixture: 'parity/refused/conditional-flow-from-activity.bpmn',
    expect: [w('f_conditional', 'sequenceFlow', /only supported leaving exclusive or inclusive gateways; this one leaves 'work'/)],
  },
  {
    zeebe: 'SequenceFlowValidator',
    rule: 'sourceRef/targetRef present and resolvable; branching exclusive/inclusive gateway flows need a condition or are the default',
    status: 'same',
    note: 'fixtures invalid/dangling-flow.bpmn and invalid/missing-condition.bpmn (validation-rules.spec.ts)',
  },
  {
    zeebe: 'ZeebeRuntimeValidators: ConditionExpression isNonStatic',
    rule: "conditions, zeebe:script expression, zeebe:output source, inputCollection, outputElement and correlationKey must be expressions ('= ...')",
    status: 'same',
    note: "Baton used to read them as FEEL without '='; now a static value is refused",
    fixture: 'parity/refused/static-expressions.bpmn',
    expect: [
      w('script', 'scriptTask', /zeebe:script expression must be a FEEL expression starting with '='.*'1 \+ 1'/),
      w('each', 'serviceTask', /zeebe:output source \(target 'copy'\) must be a FEEL expression.*'result'/),
      w('each', 'serviceTask', /inputCollection must be a FEEL expression.*'items'/),
      w('wait', 'receiveTask', /correlationKey must be a FEEL expression.*'orderId'/),
      w('f_static', 'sequenceFlow', /conditionExpression must be a FEEL expression.*'amount > 100'/),
    ],
  },
  // ------------------------------------------------------- extension elements
  {
    zeebe: 'ExecutionListenersValidator',
    rule: 'execution listeners only on processes, subprocesses, call activities, tasks, events and gateways',
    status: 'same',
    note: "Zeebe's reason: not supported for the element",
    fixture: 'parity/refused/execution-listener-on-sequence-flow.bpmn',
    expect: [w('f1', 'sequenceFlow', /execution listeners are not supported for the 'sequenceFlow' element/)],
  },
  {
    zeebe: 'ExecutionListenersValidator (allowed elements)',
    rule: 'execution listeners on an allowed element deploy in Zeebe',
    status: 'same',
    note: 'Baton runs them (libs/engine/test/runtime/execution-listeners.spec.ts)',
    fixture: 'parity/accepted/execution-listener-on-task.bpmn',
    expect: [],
  },
  {
    zeebe: 'ExecutionListenersValidator, StartEventValidator, BoundaryEventValidator, gateway/EndEventValidator',
    rule: "a listener names a job type; no 'start' listener on start and boundary events, no 'end' listener on gateways and error end events; eventType and type unique",
    status: 'same',
    fixture: 'parity/refused/execution-listener-events.bpmn',
    expect: [
      w('start', 'startEvent', /execution listeners of type 'start' are not supported by start events/),
      w('task', 'serviceTask', /zeebe:executionListener \(eventType 'start'\) has no job type/),
      w('task', 'serviceTask', /found 2 with eventType 'end' and type 'same'; each combination must be unique/),
      w('late', 'boundaryEvent', /execution listeners of type 'start' are not supported by boundary events/),
      w('gw', 'exclusiveGateway', /execution listeners of type 'end' are not supported by gateways/),
      w('fail', 'endEvent', /execution listeners of type 'end' are not supported by error end events/),
    ],
  },
  {
    zeebe: 'ExtensionElementDuplicationValidators / ExtensionElementsValidator',
    rule: 'zeebe:taskDefinition, ioMapping, taskHeaders, formDefinition, calledElement, script, ... at most once',
    status: 'same',
    fixture: 'parity/refused/duplicate-extensions.bpmn',
    expect: [w('m', 'serviceTask', /zeebe:taskDefinition is given 2 times/)],
  },
  {
    zeebe: 'ZeebeElementValidator(TaskDefinition) + ZeebeRuntimeValidators',
    rule: 'job type non-empty; retries non-empty; a non-numeric retries literal deploys and fails when the job is created',
    status: 'same',
    note: 'the incident is tested in runtime/job-retries.spec.ts',
    fixture: 'parity/accepted/retries-not-a-number.bpmn',
    expect: [],
  },
  {
    zeebe: 'ZeebeFormDefinitionValidator',
    rule: 'exactly one of formId/formKey (job-worker user task) or formId/externalReference (zeebe:userTask); bindingType only with formId',
    status: 'same',
    fixture: 'parity/refused/form-definition-rules.bpmn',
    expect: [
      w('start', 'startEvent', /public access/),
      w('both_forms', 'userTask', /exactly one of formId and formKey/),
      w('native_form_key', 'userTask', /exactly one of formId and externalReference/),
    ],
  },
  {
    zeebe: 'StartEventValidator',
    rule: 'start event forms with publicAccess=true are refused; at most one event definition',
    status: 'same',
    note: 'publicAccess: fixture form-definition-rules.bpmn',
  },
  // ------------------------------------------------------------------ scopes
  {
    zeebe: 'SubProcessValidator',
    rule: 'an embedded subprocess has exactly one start event, of type none',
    status: 'same',
    note: 'Baton used to accept an empty subprocess; event subprocesses: exactly one start event with a trigger (invalid/event-subprocess-none-start.bpmn)',
    fixture: 'parity/refused/subprocess-start-events.bpmn',
    expect: [
      w('empty_sub', 'subProcess', /no start event; an embedded subprocess needs exactly one none start event/),
      w('inner_start_2', 'startEvent', /only one start event/),
      w('no_start_sub', 'subProcess', /no start event, so its content \('inner_task' \(task\)\) can never run/),
    ],
  },
  {
    zeebe: 'ProcessValidator',
    rule: 'a process has a start event and at most one none start event; message/signal start names distinct; link events paired',
    status: 'same',
  },
  {
    zeebe: 'ModelUtil.verifyNoDuplicatedEventSubprocesses / verifyNoDuplicatedBoundaryEvents',
    rule: 'event subprocesses of a scope / boundary events of an activity with the same message name, error code or escalation code',
    status: 'not yet',
    note: 'Baton checks duplicate message names of boundary events and start events only',
  },
  // ------------------------------------------------------------------ events
  {
    zeebe: 'TimerEventDefinitionValidator + TimerCatchEventExpressionValidator',
    rule: 'exactly one of timeDuration/timeDate/timeCycle; a static timer value must parse',
    status: 'same',
    note: 'Baton also refuses a timeCycle on an interrupting boundary/event-subprocess start, and a timeDuration on a process start',
  },
  {
    zeebe: 'MessageEventDefinitionValidator + MessageValidator + ZeebeSubscription',
    rule: 'message catch events, receive tasks and event-subprocess starts reference a message with a name and a zeebe:subscription correlationKey; a message start event needs a name only',
    status: 'same',
  },
  {
    zeebe: 'MessageThrowEventValidator',
    rule: 'a message throw/end event needs a zeebe:taskDefinition (or zeebe:publishMessage)',
    status: 'differs',
    note: 'Baton deploys it as a none event with a warning (fixture events/message-throw.bpmn relies on it); zeebe:publishMessage is not supported',
  },
  {
    zeebe: 'ErrorEventDefinitionValidator',
    rule: 'an error end event references an error with a non-empty errorCode; a catch errorCode is not an expression',
    status: 'same',
  },
  {
    zeebe: 'ErrorEventDefinitionValidator (throw)',
    rule: "an error end event's errorCode may be an expression ('= code')",
    status: 'differs',
    note: 'Baton refuses expression error codes on throws (the runtime throws literal codes only)',
  },
  {
    zeebe: 'EscalationEventDefinitionValidator + EscalationValidator',
    rule: 'an escalation throw references an escalation with a non-empty code; a catch code is not an expression',
    status: 'same',
    note: "an expression code on a throw: differs as for errors (Baton refuses)",
  },
  {
    zeebe: 'SignalEventDefinitionValidator + SignalValidator',
    rule: 'every signal event references a signal with a name',
    status: 'same',
  },
  {
    zeebe: 'BoundaryEventValidator',
    rule: 'attached to an activity, no incoming flows, exactly one supported event definition',
    status: 'same',
    note: 'Baton additionally refuses a non-interrupting error boundary event',
  },
  {
    zeebe: 'EventBasedGatewayValidator',
    rule: 'at least two outgoing flows to message/timer/signal catch events or receive tasks, which have no other incoming flows',
    status: 'same',
  },
  {
    zeebe: 'BoundaryEventValidator / CompensationTaskValidator / CompensationEventDefinitionValidator / EventSubprocessValidator',
    rule: 'a compensation boundary event has no outgoing flow and an association to a handler marked isForCompensation, which has no flows; activityRef names an activity of the same scope with a compensation boundary event or an embedded subprocess; no compensation event subprocess',
    status: 'same',
    note: 'Baton additionally refuses a second compensation boundary event on one activity and handlers directly inside an ad-hoc subprocess',
    fixture: 'parity/refused/compensation-rules.bpmn',
    expect: [
      w('compensation_start', 'startEvent', /compensation event subprocesses .* are not supported/),
      w('comp_with_flow', 'boundaryEvent', /cannot have outgoing sequence flows/),
      w('comp_without_association', 'boundaryEvent', /no association to a compensation handler/),
      w('comp_to_plain_task', 'boundaryEvent', /'plain' \(task\) must be marked for compensation/),
      w('handler_with_flow', 'task', /compensation handler cannot have incoming sequence flows/),
      w('ref_other_scope', 'intermediateThrowEvent', /'inner' \(task\) must be in the same scope/),
      w('ref_without_handler', 'intermediateThrowEvent', /'plain' \(task\) must have a compensation boundary event or be an embedded subprocess/),
    ],
  },
  {
    zeebe: 'CompensationEventDefinitionValidator (waitForCompletion ignored)',
    rule: 'a compensation throw may name an embedded subprocess; waitForCompletion="false" deploys and the throw still waits',
    status: 'same',
    note: 'Baton warns about a handler no compensation boundary event is associated with (Zeebe deploys it silently)',
    fixture: 'parity/accepted/compensation.bpmn',
    expect: [w('never_undone', 'task', /no compensation boundary event is associated with this compensation handler/)],
  },
  {
    zeebe: 'ConditionalEventDefinitionValidator',
    rule: 'a conditional event has a FEEL condition; zeebe:conditionalFilter variableEvents are create and/or update',
    status: 'same',
    note: 'boundary, intermediate catch and event subprocess start run; process-level conditional start events start instances through POST /v2/conditionals/evaluation; two of one process with the same condition are refused',
  },
  // --------------------------------------------------------------- activities
  {
    zeebe: 'ZeebeElementValidator(CalledElement) + ZeebeBindingTypeValidator',
    rule: 'a call activity has one zeebe:calledElement with a non-empty processId',
    status: 'same',
    note: "bindingType 'versionTag' differs: refused as not supported",
  },
  {
    zeebe: 'ZeebeLoopCharacteristicsValidator',
    rule: 'multi-instance needs zeebe:loopCharacteristics with an inputCollection; outputCollection and outputElement go together',
    status: 'differs',
    note: 'Baton also runs loopCardinality without an inputCollection (fixture multi-instance/loop-cardinality.bpmn); output pairing is the same',
  },
  {
    zeebe: 'AdHocSubProcessValidator',
    rule: 'an ad-hoc subprocess holds an activity and no start or end event; with zeebe:taskDefinition no completionCondition, activeElementsCollection or cancelRemainingInstances="false"',
    status: 'same',
    note: 'fixture invalid/ad-hoc.bpmn, checked in libs/engine/test/runtime/ad-hoc.spec.ts',
  },
  {
    zeebe: 'AdHocSubProcessTransformer (fromAi parameter extraction)',
    rule: "fromAi() in an ad-hoc activity's input mappings: the value is a variable reference, description and type are strings, schema and options are context literals",
    status: 'same',
    note: 'same messages as Zeebe, prefixed with the element (libs/engine/test/feel/from-ai.spec.ts)',
  },
  {
    zeebe: 'ScriptTaskValidator / BusinessRuleTaskValidator',
    rule: 'a script task has zeebe:script or a job; a business rule task has zeebe:calledDecision or a job',
    status: 'differs',
    note: 'Baton refuses job-worker script tasks as not supported; business rule tasks are the same (decisionId and resultVariable required)',
  },
  {
    zeebe: 'ZeebeRuntimeValidators: ZeebeInput/ZeebeOutput',
    rule: 'mapping targets are variable paths; an output source is an expression; sources are mandatory',
    status: 'not yet',
    note: 'targets and output sources: same; a missing source is still read as null',
  },
  {
    zeebe: 'ZeebeRuntimeValidators: ZeebeAssignmentDefinition / ZeebeTaskSchedule / ZeebePriorityDefinition',
    rule: 'static candidate lists are CSV; static due/follow-up dates parse; priority 0..100',
    status: 'not yet',
    note: 'dates: same; candidate lists and priority are not checked at deploy',
  },
  {
    zeebe: 'IdLengthValidator / NameLengthValidator / MessageNameLengthValidator / WorkerTypeLengthValidator',
    rule: 'length limits on ids, names, message names and job types',
    status: 'not yet',
  },
];

async function compileRule(rule: Rule) {
  return compileBpmn(readFixture(rule.fixture ?? ''));
}

function shape(items: readonly ValidationError[]) {
  return items.map((e) => ({ elementId: e.elementId, elementType: e.elementType, message: e.message }));
}

function matching(expected: readonly Expected[]) {
  return expected.map((e) => ({
    elementId: e.elementId,
    elementType: e.elementType,
    message: expect.stringMatching(e.message),
  }));
}

describe('deploy parity with Camunda 8', () => {
  const accepted = RULES.filter((r) => r.fixture?.includes('/accepted/'));
  const refused = RULES.filter((r) => r.fixture?.includes('/refused/'));

  it('the rules table is complete: every row has a status, every fixture an expectation', () => {
    expect(RULES.length).toBeGreaterThan(20);
    for (const rule of RULES) {
      expect(['same', 'differs', 'not yet']).toContain(rule.status);
      if (rule.fixture) expect({ rule: rule.rule, expect: Array.isArray(rule.expect) }).toEqual({ rule: rule.rule, expect: true });
    }
    expect(accepted.length + refused.length).toBe(RULES.filter((r) => r.fixture).length);
  });

  it.each(accepted.map((r) => [r.fixture, r] as const))('%s deploys with the warnings listed', async (_, rule) => {
    const result = await compileRule(rule);
    if (!result.ok) throw new Error(`refused: ${result.errors.map((e) => `${e.elementId}: ${e.message}`).join('; ')}`);
    expect(result.definitions.processes.length).toBeGreaterThan(0);
    expect(shape(result.warnings ?? [])).toEqual(matching(rule.expect ?? []));
  });

  it.each(refused.map((r) => [r.fixture, r] as const))('%s is refused at the elements listed', async (_, rule) => {
    const result = await compileRule(rule);
    expect(result.ok).toBe(false);
    expect(shape(result.ok ? [] : result.errors)).toEqual(matching(rule.expect ?? []));
  });
});

describe('deploy parity: what the accepted models mean', () => {
  async function deployed(path: string): Promise<CompiledDefinitions> {
    const result = await compileBpmn(readFixture(path));
    if (!result.ok) throw new Error(`${path} was refused`);
    return result.definitions;
  }

  it('a QName messageRef resolves to the message of that local id', async () => {
    const { processes } = await deployed('parity/accepted/qname-message-ref.bpmn');
    const receive = processes[0].nodes.get('m');
    expect(receive?.event).toMatchObject({
      kind: 'message',
      name: { kind: 'literal', value: 'payment-received' },
      correlationKey: { kind: 'expression' },
    });
  });

  it('a default flow keeps no condition: it is taken when no other condition holds', async () => {
    const { processes } = await deployed('parity/accepted/default-flow-with-condition.bpmn');
    const flows = processes[0].flows;
    expect(flows.get('f_default')?.condition).toBeUndefined();
    expect(flows.get('f_other')?.condition?.source).toBe('amount > 100');
    expect(processes[0].nodes.get('xor')?.defaultFlowId).toBe('f_default');
  });

  it('the accepted models run', async () => {
    const d = await Driver.load([
      'parity/accepted/default-flow-with-condition.bpmn',
      'parity/accepted/qname-message-ref.bpmn',
      'parity/accepted/di-dangling-element.bpmn',
      'parity/accepted/user-task-form-markup.bpmn',
    ]);
    const small = d.start('default-flow-with-condition', { amount: 5 });
    const large = d.start('default-flow-with-condition', { amount: 500 });
    expect(d.completed(small)).toContain('end_default');
    expect(d.completed(large)).toContain('end_other');
    expect(d.completed(large)).not.toContain('end_default');

    const waiting = d.start('qname-message-ref', { orderId: 'o-1' });
    expect(d.publishMessage('payment-received', 'o-1')).toBe(1);
    expect(d.status(waiting)).toBe('COMPLETED');

    expect(d.status(d.start('di-dangling-element'))).toBe('COMPLETED');

    const form = d.start('user-task-form-markup');
    d.completeUserTask(form, 'm', { checked: true });
    expect(d.status(form)).toBe('COMPLETED');
  });

  it('a non-numeric retries literal deploys as written', async () => {
    const { processes } = await deployed('parity/accepted/retries-not-a-number.bpmn');
    expect(processes[0].nodes.get('m')?.job?.retries).toEqual({ kind: 'literal', value: 'abc' });
  });

  it('only the executable process of a collaboration deploys', async () => {
    const { processes } = await deployed('parity/accepted/collaboration-message-flows.bpmn');
    expect(processes.map((p) => p.id)).toEqual(['collaboration-message-flows']);
  });

  it('markup inside an embedded form does not disturb the process', async () => {
    const { processes } = await deployed('parity/accepted/user-task-form-markup.bpmn');
    expect(processes[0].nodes.get('m')?.userTask).toEqual({ formKey: 'camunda-forms:bpmn:form_markup' });
  });

  it('a self-closing embedded form next to one with markup', async () => {
    const result = await compileBpmn(
      processXml(
        `<bpmn:extensionElements>
          <zeebe:userTaskForm id="empty_form" />
          <zeebe:userTaskForm id="form_b">{"text":"a<br/>b"}</zeebe:userTaskForm>
        </bpmn:extensionElements>
        <bpmn:startEvent id="start" />`,
      ),
    );
    expect(result.ok).toBe(true);
  });

  it('a dangling reference that the engine reads stays an error inside an executable process', async () => {
    const result = await compileBpmn(
      processXml(
        `<bpmn:startEvent id="start" /><bpmn:endEvent id="end" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tns:nowhere" />
        <bpmn:sequenceFlow id="f2" sourceRef="start" targetRef="end" />`,
      ),
    );
    expect(result.ok ? [] : shape(result.errors)).toEqual([
      { elementId: 'f1', elementType: 'sequenceFlow', message: expect.stringMatching(/targetRef refers to 'tns:nowhere'/) },
    ]);
  });

  it('a dangling data reference inside an executable process is only a warning', async () => {
    const result = await compileBpmn(
      processXml(
        `<bpmn:startEvent id="start" /><bpmn:endEvent id="end" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
        <bpmn:dataObject id="order" itemSubjectRef="NoSuchItem" />`,
      ),
    );
    expect(result.ok && shape(result.warnings ?? [])).toEqual([
      { elementId: 'order', elementType: 'dataObject', message: expect.stringMatching(/itemSubjectRef refers to 'NoSuchItem'.*ignored/) },
    ]);
  });

  it('an empty execution listener list is nothing to run and deploys', async () => {
    const result = await compileBpmn(
      processXml(
        `<bpmn:startEvent id="start"><bpmn:extensionElements><zeebe:executionListeners /></bpmn:extensionElements></bpmn:startEvent>`,
      ),
    );
    expect(result.ok).toBe(true);
  });
});
