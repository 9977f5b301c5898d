import { Driver } from '../support/driver';

describe('business rule task with zeebe:calledDecision', () => {
  it('asks the host for the decision, sets the result variable, then applies output mappings', async () => {
    const d = await Driver.load(['tasks/called-decision.bpmn']);
    const id = d.start('called-decision', { kind: 'spring' });
    expect([...d.decisionRequests.values()]).toEqual([
      expect.objectContaining({
        elementId: 'decide',
        decisionId: 'dish-spring',
        bindingType: 'latest',
        versionTag: null,
        variables: { kind: 'spring' },
      }),
    ]);
    expect(d.tokenElements(id)).toEqual(['decide:WAITING']);
    expect(d.jobs.size).toBe(0);

    d.answerDecision(id, 'decide', { output: 'Salad' });
    expect(d.variables(id)).toEqual({ kind: 'spring', dish: 'Salad' });
    expect([...d.decisionRequests.values()]).toEqual([
      expect.objectContaining({ elementId: 'price', decisionId: 'price', bindingType: 'versionTag', versionTag: 'v2' }),
    ]);

    // With output mappings only the mapped variables reach the process scope.
    d.answerDecision(id, 'price', { output: { amount: 12, currency: 'EUR' } });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ kind: 'spring', dish: 'Salad', amount: 12 });
    expect(d.completed(id)).toEqual(['start', 'decide', 'price', 'end', 'called-decision']);
  });

  it('a missing decision is an incident; resolving it asks again', async () => {
    const d = await Driver.load(['tasks/called-decision.bpmn']);
    const id = d.start('called-decision', { kind: 'winter' });
    d.answerDecision(id, 'decide', { incident: 'CALLED_DECISION_ERROR', message: "no decision found for id 'dish-winter'" });
    expect([...d.incidents.values()]).toEqual([
      expect.objectContaining({ elementId: 'decide', type: 'CALLED_DECISION_ERROR', message: "no decision found for id 'dish-winter'" }),
    ]);
    expect(d.decisionRequests.size).toBe(0);

    const elementInstanceId = d.tokens(id)[0].id;
    d.step(id, [{ type: 'resolveIncident', elementInstanceId }]);
    expect(d.incidents.size).toBe(0);
    expect([...d.decisionRequests.values()]).toEqual([expect.objectContaining({ elementId: 'decide', decisionId: 'dish-winter' })]);
    d.answerDecision(id, 'decide', { output: 'Stew' });
    expect(d.variables(id)).toMatchObject({ dish: 'Stew' });
  });

  it('a decision id expression that fails is an EXPRESSION_ERROR incident', async () => {
    const d = await Driver.load(['tasks/called-decision.bpmn']);
    const id = d.start('called-decision', {});
    expect(d.decisionRequests.size).toBe(0);
    expect([...d.incidents.values()]).toEqual([expect.objectContaining({ elementId: 'decide', type: 'EXPRESSION_ERROR' })]);
    expect(d.tokenElements(id)).toEqual(['decide:WAITING']);
  });

  it('a stale answer (the task was canceled) changes nothing', async () => {
    const d = await Driver.load(['tasks/called-decision.bpmn']);
    const id = d.start('called-decision', { kind: 'spring' });
    const request = [...d.decisionRequests.values()][0];
    d.step(id, [{ type: 'cancel' }]);
    d.step(id, [{ type: 'decisionEvaluated', elementInstanceId: request.elementInstanceId, output: 'Salad' }]);
    expect(d.status(id)).toBe('CANCELED');
    expect(d.variables(id)).toEqual({ kind: 'spring' });
  });
});
