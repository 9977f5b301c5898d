import { readFileSync } from 'node:fs';
import { CORPUS, corpusFiles } from '../../../../test/support/corpus';
import { join, relative } from 'node:path';
import { compileBpmn, type CompileBpmnResult } from '../../src/model';

const files = corpusFiles();
const describeCorpus = files.length > 0 ? describe : describe.skip;
if (files.length === 0) {
  console.warn(`corpus tests skipped: no BPMN corpus at ${CORPUS}`);
}

describeCorpus('compileBpmn on the public BPMN corpus (test/corpus)', () => {
  const results = new Map<string, CompileBpmnResult>();

  beforeAll(async () => {
    for (const file of files) {
      results.set(relative(CORPUS, file), await compileBpmn(readFileSync(file, 'utf8')));
    }
  }, 60_000);

  function result(path: string): CompileBpmnResult {
    const found = results.get(path);
    if (!found) throw new Error(`${path} is not in the corpus`);
    return found;
  }

  it('every file either compiles or is refused with located, explained errors', () => {
    expect(results.size).toBe(files.length);
    for (const [path, outcome] of results) {
      if (outcome.ok) {
        expect(outcome.definitions.processes.length).toBeGreaterThan(0);
        continue;
      }
      expect({ path, count: outcome.errors.length > 0 }).toEqual({ path, count: true });
      for (const error of outcome.errors) {
        expect(error.message.length).toBeGreaterThan(0);
        // Document-level errors carry neither an element id nor a type.
        if (error.elementId === null)
          expect({ path, error }).toEqual({ path, error: { ...error, elementType: null } });
        else expect(typeof error.elementType).toBe('string');
      }
    }
  });

  it('Camunda 8 models with supported elements deploy', () => {
    const c91 = result('miwg/C.9.1.bpmn');
    expect(c91.ok && c91.definitions.processes.map((p) => p.id)).toEqual(['requestDocument_en']);
    if (c91.ok) {
      const receive = c91.definitions.processes[0].nodes.get('ReceiveTask_WaitForDocument');
      expect(receive?.boundaryEventIds).toEqual(['BoundaryEvent_1', 'BoundaryEvent_2']);
      expect(c91.definitions.processes[0].nodes.get('BoundaryEvent_1')?.event?.timer).toEqual({
        kind: 'cycle',
        value: { kind: 'literal', value: 'R6/P1D' },
      });
    }
    const c92 = result('miwg/C.9.2.bpmn');
    expect(c92.ok && c92.definitions.processes.map((p) => p.id)).toEqual(['ManualCheck']);
  });

  it('a Camunda 8 model with a DMN business rule task compiles: the task calls its decision', () => {
    const outcome = result('miwg/C.9.0.bpmn');
    expect(outcome.ok ? [] : outcome.errors).toEqual([]);
    const task = outcome.ok ? outcome.definitions.processes[0].nodes.get('BusinessRuleTask_CheckApplicationAutomatically') : undefined;
    expect(task?.calledDecision).toEqual({
      decisionId: { kind: 'literal', value: 'risk_check' },
      resultVariable: 'result',
      bindingType: 'latest',
    });
    expect(task?.job).toBeUndefined();
  });

  it('a Camunda 7 model is refused for its JUEL conditions and missing job types', () => {
    const outcome = result('miwg/C.1.0.bpmn');
    expect(outcome.ok ? [] : outcome.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ elementId: 'archiveInvoice', elementType: 'serviceTask' }),
        expect.objectContaining({
          elementId: 'invoiceApproved',
          elementType: 'sequenceFlow',
          message: expect.stringMatching(/must be a FEEL expression starting with '=', but is the static value '\$\{approved\}'/),
        }),
      ]),
    );
  });

  it('descriptive models and broken files are refused at document level', () => {
    for (const path of ['miwg/A.1.0.bpmn', 'bpmn-moddle/simple.bpmn']) {
      const outcome = result(path);
      expect(outcome.ok ? [] : outcome.errors).toContainEqual(
        expect.objectContaining({
          elementId: null,
          message: expect.stringMatching(/no process is executable/),
        }),
      );
    }
    const notBpmn = result('bpmn-moddle/error/not-bpmn.bpmn');
    expect(notBpmn.ok ? [] : notBpmn.errors).toEqual([
      expect.objectContaining({
        elementId: null,
        message: expect.stringMatching(/not a BPMN 2.0 document/),
      }),
    ]);
    const duplicates = result('bpmn-moddle/error/duplicate-ids.bpmn');
    expect(duplicates.ok ? [] : duplicates.errors).toContainEqual(
      expect.objectContaining({ elementId: 'test', message: "duplicate id 'test'" }),
    );
  });

  it('files that are not XML at all', async () => {
    for (const name of ['error/no-xml.txt', 'error/binary.png']) {
      const outcome = await compileBpmn(readFileSync(join(CORPUS, 'bpmn-moddle', name), 'utf8'));
      expect(outcome.ok ? [] : outcome.errors).toEqual([
        expect.objectContaining({ elementId: null, elementType: null }),
      ]);
    }
  });
});
