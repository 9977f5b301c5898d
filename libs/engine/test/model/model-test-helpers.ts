import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileBpmn } from '../../src/model';
import type { CompiledProcess, FlowNode, ValidationError } from '../../src/model';

export const BPMN_FIXTURES = join(__dirname, '..', 'fixtures', 'bpmn');

export function readFixture(path: string): string {
  return readFileSync(join(BPMN_FIXTURES, path), 'utf8');
}

/** Compiles a fixture that must deploy and returns its single (or named) process. */
export async function compileFixture(path: string, processId?: string): Promise<CompiledProcess> {
  const result = await compileBpmn(readFixture(path));
  if (!result.ok) {
    throw new Error(
      `${path} was refused:\n${result.errors.map((e) => `  ${e.elementId}: ${e.message}`).join('\n')}`,
    );
  }
  const { processes } = result.definitions;
  const process = processId ? processes.find((p) => p.id === processId) : processes[0];
  if (!process) throw new Error(`${path} has no process ${processId ?? ''}`);
  return process;
}

export async function refusal(xml: string): Promise<readonly ValidationError[]> {
  const result = await compileBpmn(xml);
  if (result.ok) throw new Error('expected the document to be refused, but it compiled');
  return result.errors;
}

export function node(process: CompiledProcess, id: string): FlowNode {
  const found = process.nodes.get(id);
  if (!found) throw new Error(`no node '${id}' in process '${process.id}'`);
  return found;
}

export function anError(elementId: string | null, elementType: string | null, message: RegExp) {
  return expect.objectContaining({
    elementId,
    elementType,
    message: expect.stringMatching(message),
  });
}

const NAMESPACES =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
  'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" ' +
  'xmlns:modeler="http://camunda.org/schema/modeler/1.0" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/**
 * A one-process document without diagram interchange, for rules that need
 * no fixture of their own. `roots` go before the process (messages, errors).
 */
export function processXml(body: string, roots = '', processAttrs = 'isExecutable="true"'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NAMESPACES} id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud">
  ${roots}
  <bpmn:process id="p" ${processAttrs}>
    ${body}
  </bpmn:process>
</bpmn:definitions>`;
}

/** start -> `middle` -> end, with `middle` given as XML whose id is `m`. */
export function around(middle: string, roots = ''): string {
  return processXml(
    `<bpmn:startEvent id="start" />
    ${middle}
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="m" />
    <bpmn:sequenceFlow id="f2" sourceRef="m" targetRef="end" />`,
    roots,
  );
}
