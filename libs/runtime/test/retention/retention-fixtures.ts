/** start -> exclusive gateway -> task -> end; `level`: its `baton:historyLevel` property. */
export function levelProcess(id: string, level?: string): string {
  const properties =
    level === undefined
      ? ''
      : `<bpmn:extensionElements><zeebe:properties><zeebe:property name="baton:historyLevel" value="${level}" /></zeebe:properties></bpmn:extensionElements>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d_${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" isExecutable="true">${properties}
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="gate" />
    <bpmn:task id="work" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gate" />
    <bpmn:sequenceFlow id="f2" sourceRef="gate" targetRef="work" />
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;
}
