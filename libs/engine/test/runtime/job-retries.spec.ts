import { Driver } from '../support/driver';

/**
 * Camunda 8 deploys a `zeebe:taskDefinition retries` that is not a number and
 * fails when the job is created; an expression is evaluated at that moment.
 * Baton does the same: the element gets an EXPRESSION_ERROR incident naming
 * the value, and no job is handed out.
 */
describe('job retries are read when the job is created', () => {
  it('a literal that is not a number: an incident on the element naming the value, no job', async () => {
    const d = await Driver.load(['parity/accepted/retries-not-a-number.bpmn']);
    const id = d.start('retries-not-a-number', { amount: 5 });
    expect(d.jobsOf(id)).toEqual([]);
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({
        elementId: 'm',
        type: 'EXPRESSION_ERROR',
        message: expect.stringMatching(/retries of 'm' must be a whole number.*"abc"/),
      }),
    ]);
    expect(d.status(id)).toBe('ACTIVE');
  });

  it('an expression is evaluated against the instance variables', async () => {
    const d = await Driver.load(['parity/accepted/retries-expression.bpmn']);
    const id = d.start('retries-expression', { attempts: 7 });
    expect(d.jobsOf(id)).toEqual([expect.objectContaining({ elementId: 'm', jobType: 'charge', retries: 7 })]);
    d.completeJob(id, 'm');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('an expression that does not give a number: incident; fixed variables and a resolve create the job', async () => {
    const d = await Driver.load(['parity/accepted/retries-expression.bpmn']);
    const id = d.start('retries-expression', { attempts: 'several' });
    expect(d.jobsOf(id)).toEqual([]);
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'm', type: 'EXPRESSION_ERROR', message: expect.stringMatching(/"several"/) }),
    ]);
    d.setVariables(id, { attempts: 2 });
    d.resolveIncident(id, 'm');
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.jobsOf(id)).toEqual([expect.objectContaining({ elementId: 'm', retries: 2 })]);
  });
});
