import { anError, compileFixture, node, processXml, refusal } from './model-test-helpers';

const comp = (id: string, host: string) =>
  `<bpmn:boundaryEvent id="${id}" attachedToRef="${host}"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>`;

describe('compensation at deploy', () => {
  it('wires each compensation boundary event to the handler its association leads to', async () => {
    const process = await compileFixture('compensation/car-rental.bpmn');
    expect(node(process, 'compHotel')).toMatchObject({
      type: 'boundaryEvent',
      attachedToId: 'bookHotel',
      event: { kind: 'compensation' },
      compensationHandlerId: 'cancelHotel',
    });
    expect(node(process, 'cancelHotel').isForCompensation).toBe(true);
    expect(node(process, 'bookHotel').isForCompensation).toBeUndefined();
    expect(node(process, 'undoBookings').event).toEqual({ kind: 'compensation' });
  });

  it('reads activityRef of a throw', async () => {
    const process = await compileFixture('compensation/activity-ref.bpmn');
    expect(node(process, 'undoHotelFirst').event).toEqual({ kind: 'compensation', activityRef: 'hotel' });
  });

  it('an activity has at most one compensation boundary event', async () => {
    const errors = await refusal(
      processXml(`<bpmn:startEvent id="start" />
        <bpmn:task id="work" />
        ${comp('comp_1', 'work')}
        ${comp('comp_2', 'work')}
        <bpmn:task id="undo" isForCompensation="true" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
        <bpmn:association id="a1" sourceRef="comp_1" targetRef="undo" />
        <bpmn:association id="a2" sourceRef="comp_2" targetRef="undo" />`),
    );
    expect(errors).toEqual([anError('comp_2', 'boundaryEvent', /'work' \(task\) already has a compensation boundary event \('comp_1'/)]);
  });

  it('a handler has no boundary events', async () => {
    const errors = await refusal(
      processXml(`<bpmn:startEvent id="start" />
        <bpmn:task id="work" />
        ${comp('comp', 'work')}
        <bpmn:task id="undo" isForCompensation="true" />
        ${comp('undo_timer_like', 'undo')}
        <bpmn:task id="undo_2" isForCompensation="true" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
        <bpmn:association id="a1" sourceRef="comp" targetRef="undo" />
        <bpmn:association id="a2" sourceRef="undo_timer_like" targetRef="undo_2" />`),
    );
    expect(errors).toEqual([anError('undo', 'task', /a compensation handler cannot have boundary events/)]);
  });

  it('a handler cannot sit directly inside an ad-hoc subprocess', async () => {
    const errors = await refusal(
      processXml(`<bpmn:startEvent id="start" />
        <bpmn:adHocSubProcess id="adhoc">
          <bpmn:task id="work" />
          ${comp('comp', 'work')}
          <bpmn:task id="undo" isForCompensation="true" />
          <bpmn:association id="a1" sourceRef="comp" targetRef="undo" />
        </bpmn:adHocSubProcess>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="adhoc" />`),
    );
    expect(errors).toEqual(
      expect.arrayContaining([anError('undo', 'task', /compensation handlers inside an ad-hoc subprocess are not supported/)]),
    );
  });

  it('a compensation event subprocess is refused by its start event, at process level too', async () => {
    const errors = await refusal(
      processXml(`<bpmn:startEvent id="start" />
        <bpmn:subProcess id="esp" triggeredByEvent="true">
          <bpmn:startEvent id="esp_start"><bpmn:compensateEventDefinition /></bpmn:startEvent>
        </bpmn:subProcess>`),
    );
    expect(errors).toEqual([anError('esp_start', 'startEvent', /compensation event subprocesses .* not supported, as in Camunda 8/)]);
  });

  it('activityRef naming no activity of the process is refused', async () => {
    const errors = await refusal(
      processXml(`<bpmn:startEvent id="start" />
        <bpmn:exclusiveGateway id="gw" />
        <bpmn:intermediateThrowEvent id="undo_all"><bpmn:compensateEventDefinition activityRef="gw" /></bpmn:intermediateThrowEvent>
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
        <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="undo_all" />`),
    );
    expect(errors).toEqual([anError('undo_all', 'intermediateThrowEvent', /referenced compensation activity 'gw' is not an activity/)]);
  });
});
