import { anError, around, processXml, readFixture, refusal } from './model-test-helpers';

const fixture = (name: string) => refusal(readFixture(`invalid/${name}`));

describe('validation: fixtures under invalid/', () => {
  it('dangling sequence flow ends name the sequence flow, not the missing element', async () => {
    const errors = await fixture('dangling-flow.bpmn');
    expect(errors).toEqual([
      anError('f_missing_target', 'sequenceFlow', /targetRef refers to 'Nowhere'/),
      anError('f_missing_source', 'sequenceFlow', /sourceRef refers to 'Ghost'/),
    ]);
  });

  it('boundary events: no host, unknown host, a gateway as host, non-interrupting error', async () => {
    const errors = await fixture('bad-boundary.bpmn');
    expect(errors).toEqual(
      expect.arrayContaining([
        anError('b_unattached', 'boundaryEvent', /not attached to an activity/),
        anError('b_missing_host', 'boundaryEvent', /attachedToRef refers to 'NoSuchTask'/),
        anError(
          'b_on_gateway',
          'boundaryEvent',
          /only be attached to activities; 'gateway' \(exclusiveGateway\)/,
        ),
        anError(
          'b_error_non_interrupting',
          'boundaryEvent',
          /error boundary events are always interrupting/,
        ),
      ]),
    );
    expect(errors).toHaveLength(4);
  });

  it('unresolved message, signal, escalation and error references name the event', async () => {
    const errors = await fixture('unresolved-refs.bpmn');
    expect(errors).toEqual([
      anError('catch_message', 'intermediateCatchEvent', /messageRef refers to 'Message_missing'/),
      anError('catch_signal', 'intermediateCatchEvent', /signalRef refers to 'Signal_missing'/),
      anError(
        'throw_escalation',
        'intermediateThrowEvent',
        /escalationRef refers to 'Escalation_missing'/,
      ),
      anError('end_error', 'endEvent', /errorRef refers to 'Error_missing'/),
    ]);
  });

  it('a default flow that is not an outgoing flow of its gateway', async () => {
    expect(await fixture('bad-default-flow.bpmn')).toEqual([
      anError(
        'split',
        'exclusiveGateway',
        /default flow 'f_other' is not an outgoing sequence flow/,
      ),
    ]);
  });

  it('duplicate ids', async () => {
    expect(await fixture('duplicate-ids.bpmn')).toEqual([
      anError('work', 'task', /duplicate id 'work'/),
    ]);
  });

  it('unsupported constructs are refused by id and type', async () => {
    const errors = await fixture('unsupported-elements.bpmn');
    expect(errors).toEqual([
      anError('complex', 'complexGateway', /complex gateways are not supported/),
      anError('tx', 'transaction', /transaction subprocesses are not supported/),
      // Conditional events run (Camunda 8.9); this one is refused only because its condition is static.
      anError('conditional', 'intermediateCatchEvent', /condition must be a FEEL expression starting with '='/),
      anError('looped', 'task', /standard loop characteristics are not supported/),
      // Ad-hoc subprocesses run (Camunda 8.8); this one is refused only because it is empty.
      anError('adhoc', 'adHocSubProcess', /an ad-hoc subprocess must have at least one activity/),
      // Compensation runs; this boundary event is refused only because no association leads to its handler.
      anError('compensation_boundary', 'boundaryEvent', /no association to a compensation handler/),
    ]);
  });

  it('unconditional non-default flows leaving branching exclusive and inclusive gateways', async () => {
    expect(await fixture('missing-condition.bpmn')).toEqual([
      anError('f_xor_or', 'sequenceFlow', /leaves 'xor' \(exclusiveGateway\).*no condition/),
      anError('f_or_c', 'sequenceFlow', /leaves 'or' \(inclusiveGateway\).*no condition/),
    ]);
  });

  it('FEEL that does not parse names the element and the attribute', async () => {
    const errors = await fixture('feel-syntax.bpmn');
    expect(errors).toEqual(
      expect.arrayContaining([
        anError(
          'f_bad_condition',
          'sequenceFlow',
          /^conditionExpression: FEEL expression 'amount >' does not parse/,
        ),
        anError('script', 'scriptTask', /^zeebe:script expression: .*'a \+'/),
        anError('service', 'serviceTask', /^zeebe:taskDefinition type: .*'concat\('/),
        anError('service', 'serviceTask', /^zeebe:input source \(target 'x'\)/),
        anError('timer', 'intermediateCatchEvent', /^timeDuration: .*'duration\('/),
      ]),
    );
    expect(errors).toHaveLength(5);
  });

  it('malformed timer literals', async () => {
    expect(await fixture('bad-timers.bpmn')).toEqual([
      anError('start_cron', 'startEvent', /6-field cron/),
      anError('bad_duration', 'intermediateCatchEvent', /'PT5X' is not an ISO 8601 duration/),
      anError(
        'bad_date',
        'intermediateCatchEvent',
        /'2026-13-01T00:00:00Z' is not an ISO 8601 date-time/,
      ),
      anError('bad_cycle', 'boundaryEvent', /'R3\/PTX' has an invalid interval/),
    ]);
  });

  it('tasks without the zeebe configuration they need', async () => {
    expect(await fixture('missing-task-config.bpmn')).toEqual([
      anError('service', 'serviceTask', /zeebe:taskDefinition type/),
      anError('send', 'sendTask', /zeebe:taskDefinition type/),
      anError('rule', 'businessRuleTask', /zeebe:taskDefinition type/),
      anError('dmn', 'businessRuleTask', /needs a result variable \(zeebe:calledDecision resultVariable\)/),
      anError('script', 'scriptTask', /resultVariable/),
      anError('call', 'callActivity', /zeebe:calledElement processId/),
    ]);
  });

  it('message catches need a message name and a correlation key', async () => {
    expect(await fixture('bad-messages.bpmn')).toEqual([
      anError('receive_no_name', 'receiveTask', /'Message_no_name' has no name/),
      anError('catch_no_key', 'intermediateCatchEvent', /no correlation key/),
      anError('catch_no_ref', 'intermediateCatchEvent', /no message is referenced/),
    ]);
  });

  it('an event-based gateway followed by a task', async () => {
    expect(await fixture('event-based-bad-target.bpmn')).toEqual([
      anError('ebg', 'eventBasedGateway', /'not_an_event' \(task\) is not one/),
    ]);
  });

  it('a subprocess with content but no start event', async () => {
    expect(await fixture('subprocess-without-start.bpmn')).toEqual([
      anError('sub', 'subProcess', /no start event.*'inner_task'/),
    ]);
  });

  it('an event subprocess with a none start event', async () => {
    expect(await fixture('event-subprocess-none-start.bpmn')).toEqual([
      anError('esp_start', 'startEvent', /event subprocess needs an event definition/),
    ]);
  });

  it('a link throw without a catch of that name in its scope', async () => {
    expect(await fixture('link-without-catch.bpmn')).toEqual([
      anError('go_to_b', 'intermediateThrowEvent', /no link catch event named 'to-b'/),
    ]);
  });

  it('multi-instance outputCollection without outputElement', async () => {
    expect(await fixture('mi-output-without-element.bpmn')).toEqual([
      anError('each', 'serviceTask', /outputCollection 'results' needs an outputElement/),
    ]);
  });

  it('two none start events in one process', async () => {
    expect(await fixture('two-none-starts.bpmn')).toEqual([
      anError('start_2', 'startEvent', /only one none start event; 'start_1'/),
    ]);
  });

  it('a document without an executable process', async () => {
    expect(await fixture('no-executable-process.bpmn')).toEqual([
      anError(null, null, /no process is executable/),
    ]);
  });

  it('unknown elements and attributes in known namespaces', async () => {
    expect(await fixture('unknown-markup.bpmn')).toEqual([
      anError('work', 'serviceTask', /unknown attribute 'priority' on <taskDefinition>/),
      anError('wormhole', 'wormhole', /unknown element <bpmn:wormhole>/),
    ]);
  });

  it('XML that is not BPMN', async () => {
    expect(await fixture('not-bpmn.xml')).toEqual([anError(null, null, /not a BPMN 2.0 document/)]);
  });
});

describe('validation: rules without a fixture', () => {
  const task = (type: string) =>
    `<bpmn:serviceTask id="m"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements></bpmn:serviceTask>`;

  it('document-level problems have no element', async () => {
    expect(await refusal('')).toEqual([anError(null, null, /empty/)]);
    expect(await refusal('hello world')).toEqual([anError(null, null, /not XML/)]);
    expect(
      await refusal(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">',
      ),
    ).toEqual(expect.arrayContaining([anError(null, null, /./)]));
    expect(
      await refusal(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" />',
      ),
    ).toEqual([anError(null, null, /contains no process/)]);
  });

  it('malformed tags and attributes are found before moddle, with their line', async () => {
    const xml = processXml(
      '<bpmn:startEvent id="start" name="a" name="b" />\n<bpmn:task id="t" 1bad="x" />',
    );
    expect(await refusal(xml)).toEqual([
      anError(null, null, /line \d+: <bpmn:startEvent>: attribute 'name' appears twice/),
      anError(null, null, /line \d+: <bpmn:task>: malformed attributes/),
    ]);
    expect(await refusal(processXml('<bpmn:task id="t" name="a < b" />'))).toEqual([
      anError(null, null, /not well-formed XML at line \d+/),
    ]);
  });

  it('a long document full of unknown elements is refused quickly', async () => {
    const junk = Array.from({ length: 6000 }, (_, i) => `<bpmn:wormhole id="w${i}" />`).join('\n');
    const started = performance.now();
    const errors = await refusal(processXml(junk));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(errors).toEqual([
      anError('w0', 'wormhole', /unknown element <bpmn:wormhole>/),
      anError(null, null, /further problems are not listed/),
    ]);
  });

  it('sequence flows cannot cross subprocess boundaries', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start" />
      <bpmn:subProcess id="sub">
        <bpmn:startEvent id="inner_start" />
        <bpmn:endEvent id="inner_end" />
        <bpmn:sequenceFlow id="f_in" sourceRef="inner_start" targetRef="inner_end" />
      </bpmn:subProcess>
      <bpmn:sequenceFlow id="f_cross" sourceRef="start" targetRef="inner_end" />`),
    );
    expect(errors).toEqual([
      anError('f_cross', 'sequenceFlow', /cannot cross subprocess boundaries/),
    ]);
  });

  it('conditions on flows that are never evaluated are refused; a default flow keeps its condition ignored', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start" />
      <bpmn:parallelGateway id="fork" />
      <bpmn:exclusiveGateway id="xor" default="f_default" />
      <bpmn:endEvent id="a" /><bpmn:endEvent id="b" /><bpmn:endEvent id="c" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
      <bpmn:sequenceFlow id="f_par" sourceRef="fork" targetRef="xor"><bpmn:conditionExpression>= x</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_default" sourceRef="xor" targetRef="a"><bpmn:conditionExpression>= y</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_other" sourceRef="xor" targetRef="b"><bpmn:conditionExpression>= z</bpmn:conditionExpression></bpmn:sequenceFlow>`),
    );
    expect(errors).toEqual([
      anError(
        'f_par',
        'sequenceFlow',
        /only supported leaving exclusive or inclusive gateways; this one leaves 'fork' \(parallelGateway\)/,
      ),
    ]);
  });

  it('conditions in another expression language', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start" /><bpmn:exclusiveGateway id="xor" /><bpmn:endEvent id="a" /><bpmn:endEvent id="b" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="xor" />
      <bpmn:sequenceFlow id="f_a" sourceRef="xor" targetRef="a"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="f_b" sourceRef="xor" targetRef="b"><bpmn:conditionExpression>= x &lt;= 1</bpmn:conditionExpression></bpmn:sequenceFlow>`),
    );
    expect(errors).toEqual([
      anError('f_a', 'sequenceFlow', /language 'javascript' is not supported/),
    ]);
  });

  it('start, end and event subprocess flow constraints', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start" />
      <bpmn:endEvent id="end" />
      <bpmn:task id="after" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
      <bpmn:sequenceFlow id="f2" sourceRef="end" targetRef="after" />
      <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="start" />`),
    );
    expect(errors).toEqual([
      anError('start', 'startEvent', /start event cannot have incoming/),
      anError('end', 'endEvent', /end event cannot have outgoing/),
    ]);
  });

  it('a process without a start event', async () => {
    expect(await refusal(processXml('<bpmn:task id="t" />'))).toEqual([
      anError('p', 'process', /no start event/),
    ]);
  });

  it('an interrupting timer cycle and a duration on a process start event', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
      <bpmn:userTask id="wait" />
      <bpmn:boundaryEvent id="cycle" attachedToRef="wait"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1M</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />`),
    );
    expect(errors).toEqual([
      anError(
        'start',
        'startEvent',
        /timeDuration timer is not allowed on a start event of a process/,
      ),
      anError('cycle', 'boundaryEvent', /timeCycle timer must be non-interrupting/),
    ]);
  });

  it('thrown errors and escalations need a code', async () => {
    const errors = await refusal(
      processXml(
        `
      <bpmn:startEvent id="start" />
      <bpmn:intermediateThrowEvent id="escalate"><bpmn:escalationEventDefinition escalationRef="Esc" /></bpmn:intermediateThrowEvent>
      <bpmn:endEvent id="fail"><bpmn:errorEventDefinition /></bpmn:endEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="escalate" />
      <bpmn:sequenceFlow id="f2" sourceRef="escalate" targetRef="fail" />`,
        '<bpmn:escalation id="Esc" name="no code" />',
      ),
    );
    expect(errors).toEqual([
      anError('escalate', 'intermediateThrowEvent', /escalation 'Esc' has no escalationCode/),
      anError('fail', 'endEvent', /no error is referenced/),
    ]);
  });

  it('references to elements of the wrong type', async () => {
    const errors = await refusal(
      processXml(
        `
      <bpmn:startEvent id="start" />
      <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="Sig" /></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
      <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="Sig" />`,
        '<bpmn:signal id="Sig" name="s" />',
      ),
    );
    expect(errors).toEqual([
      anError('wait', 'intermediateCatchEvent', /messageRef 'Sig' is a signal, not a message/),
      anError(
        'f2',
        'sequenceFlow',
        /target of the sequence flow, 'Sig' \(signal\), is not a flow node/,
      ),
    ]);
  });

  it('message start events of an event subprocess need a correlation key', async () => {
    const errors = await refusal(
      processXml(
        `
      <bpmn:startEvent id="start" /><bpmn:userTask id="t" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />
      <bpmn:subProcess id="esp" triggeredByEvent="true">
        <bpmn:startEvent id="esp_start"><bpmn:messageEventDefinition messageRef="M" /></bpmn:startEvent>
      </bpmn:subProcess>`,
        '<bpmn:message id="M" name="cancel" />',
      ),
    );
    expect(errors).toEqual([anError('esp_start', 'startEvent', /no correlation key/)]);
  });

  it('an event subprocess needs exactly one start event and no flows', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start" />
      <bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:task id="inner" /></bpmn:subProcess>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="esp" />`),
    );
    expect(errors).toEqual([
      anError('esp', 'subProcess', /event subprocess cannot have incoming/),
      anError('esp', 'subProcess', /exactly one start event/),
    ]);
  });

  it('boundary events on an event subprocess or in another scope', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start" /><bpmn:userTask id="t" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />
      <bpmn:subProcess id="esp" triggeredByEvent="true">
        <bpmn:startEvent id="esp_start"><bpmn:signalEventDefinition signalRef="S" /></bpmn:startEvent>
        <bpmn:boundaryEvent id="inner_boundary" attachedToRef="t"><bpmn:signalEventDefinition signalRef="S" /></bpmn:boundaryEvent>
      </bpmn:subProcess>
      <bpmn:boundaryEvent id="on_esp" attachedToRef="esp"><bpmn:signalEventDefinition signalRef="S" /></bpmn:boundaryEvent>`).replace(
        '<bpmn:process',
        '<bpmn:signal id="S" name="s" /><bpmn:process',
      ),
    );
    expect(errors).toEqual([
      anError('inner_boundary', 'boundaryEvent', /same \(sub\)process as its activity 't'/),
      anError('on_esp', 'boundaryEvent', /cannot be attached to an event subprocess/),
    ]);
  });

  it('duplicate link catch names in one scope', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start" />
      <bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="x" /></bpmn:intermediateThrowEvent>
      <bpmn:intermediateCatchEvent id="c1"><bpmn:linkEventDefinition name="x" /></bpmn:intermediateCatchEvent>
      <bpmn:intermediateCatchEvent id="c2"><bpmn:linkEventDefinition name="x" /></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="go" />`),
    );
    expect(errors).toEqual([anError('c2', 'intermediateCatchEvent', /already caught by 'c1'/)]);
  });

  it('boundary events of one activity waiting for the same message', async () => {
    const boundary = (id: string) =>
      `<bpmn:boundaryEvent id="${id}" attachedToRef="m"><bpmn:messageEventDefinition messageRef="M" /></bpmn:boundaryEvent>`;
    const errors = await refusal(
      around(
        `<bpmn:userTask id="m" />${boundary('b1')}${boundary('b2')}`,
        '<bpmn:message id="M" name="cancel"><bpmn:extensionElements><zeebe:subscription correlationKey="= id" /></bpmn:extensionElements></bpmn:message>',
      ),
    );
    expect(errors).toEqual([anError('b2', 'boundaryEvent', /already wait for message 'cancel'/)]);
  });

  it('multi-instance without a collection, and outputElement without outputCollection', async () => {
    const errors = await refusal(
      around(`<bpmn:task id="m"><bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements><zeebe:loopCharacteristics outputElement="= x" /></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics></bpmn:task>`),
    );
    expect(errors).toEqual([
      anError('m', 'task', /needs an input collection/),
      anError('m', 'task', /outputElement needs an outputCollection/),
    ]);
  });

  it('start listeners Baton does not run are refused, not ignored: event subprocesses, events after an event-based gateway', async () => {
    const listener = `<bpmn:extensionElements><zeebe:executionListeners><zeebe:executionListener eventType="start" type="a" /></zeebe:executionListeners></bpmn:extensionElements>`;
    expect(
      await refusal(
        processXml(
          `<bpmn:startEvent id="start" />
          <bpmn:eventBasedGateway id="gw" />
          <bpmn:intermediateCatchEvent id="late">${listener}<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
          <bpmn:intermediateCatchEvent id="soon"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
          <bpmn:endEvent id="end" />
          <bpmn:subProcess id="esp" triggeredByEvent="true">${listener}
            <bpmn:startEvent id="espStart"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
          </bpmn:subProcess>
          <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
          <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="late" />
          <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="soon" />
          <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="end" />
          <bpmn:sequenceFlow id="f5" sourceRef="soon" targetRef="end" />`,
        ),
      ),
    ).toEqual([
      anError('late', 'intermediateCatchEvent', /'start' on an event after an event-based gateway are not supported by Baton/),
      anError('esp', 'subProcess', /'start' on an event subprocess are not supported by Baton/),
    ]);
  });

  it('task listeners: only on Camunda user tasks, of the five events of Camunda 8.8 (and their 8.6 names)', async () => {
    const listeners = (events: string) =>
      `<zeebe:taskListeners>${events
        .split(',')
        .map((e, i) => `<zeebe:taskListener eventType="${e}" type="t${i}" />`)
        .join('')}</zeebe:taskListeners>`;
    expect(
      await refusal(
        around(`<bpmn:userTask id="m"><bpmn:extensionElements><zeebe:userTask />
          ${listeners('creating,create,assigning,completing,canceling,cancel,updating,update,starting')}
        </bpmn:extensionElements></bpmn:userTask>`),
      ),
    ).toEqual([
      anError('m', 'userTask', /eventType 'starting' is not one of creating, assigning, updating, completing, canceling/),
    ]);
    expect(
      await refusal(around(`<bpmn:userTask id="m"><bpmn:extensionElements>${listeners('creating')}</bpmn:extensionElements></bpmn:userTask>`)),
    ).toEqual([anError('m', 'userTask', /task listeners need a Camunda user task \(zeebe:userTask\)/)]);
  });

  it('execution listener placement, job-worker script tasks and empty retries', async () => {
    expect(
      await refusal(
        around(`<bpmn:serviceTask id="m"><bpmn:extensionElements>
          <zeebe:taskDefinition type="t" retries="" />
          <zeebe:executionListeners><zeebe:executionListener eventType="begin" type="audit" /></zeebe:executionListeners>
        </bpmn:extensionElements></bpmn:serviceTask>`),
      ),
    ).toEqual([
      anError('m', 'serviceTask', /retries is empty/),
      anError('m', 'serviceTask', /eventType 'begin' is not one of start, end/),
    ]);
    expect(
      await refusal(
        around(
          '<bpmn:scriptTask id="m"><bpmn:extensionElements><zeebe:taskDefinition type="t" /></bpmn:extensionElements></bpmn:scriptTask>',
        ),
      ),
    ).toEqual([anError('m', 'scriptTask', /implemented by a job worker are not supported/)]);
  });

  it('an intermediate catch event without a definition', async () => {
    expect(await refusal(around('<bpmn:intermediateCatchEvent id="m" />'))).toEqual([
      anError('m', 'intermediateCatchEvent', /needs an event definition/),
    ]);
  });

  it('every error of a document is reported at once', async () => {
    const errors = await refusal(
      processXml(`
      <bpmn:startEvent id="start" />
      <bpmn:serviceTask id="a" />
      <bpmn:complexGateway id="g" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a" />
      <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="missing" />`),
    );
    expect(errors.map((e) => e.elementId)).toEqual(['f2', 'a', 'g']);
  });

  it('an empty FEEL job type', async () => {
    const errors = await refusal(around(task('= ')));
    expect(errors).toEqual([anError('m', 'serviceTask', /empty expression/)]);
  });
});
