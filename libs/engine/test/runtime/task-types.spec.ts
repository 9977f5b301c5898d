import { Driver } from '../support/driver';

describe('task types', () => {
  it('send and business-rule tasks are jobs; manual and plain tasks pass through', async () => {
    const d = await Driver.load(['tasks/task-kinds.bpmn']);
    const id = d.start('task-kinds', { customerId: 'c-1' });
    expect(d.jobsOf(id)).toEqual([
      expect.objectContaining({
        elementId: 'send_offer',
        jobType: 'send-mail',
        retries: 2,
        customHeaders: { template: 'offer' },
        variables: { customerId: 'c-1' },
      }),
    ]);
    expect(d.tokens(id)).toEqual([
      { id: d.jobsOf(id)[0].elementInstanceId, elementId: 'send_offer', state: 'WAITING' },
    ]);
    d.completeJob(id, 'send_offer', { sentAt: 'monday' });
    // A business-rule task with a task definition is a job like any other; retries default to 3.
    expect(d.jobsOf(id)).toEqual([
      expect.objectContaining({
        elementId: 'score',
        jobType: 'score',
        retries: 3,
        customHeaders: {},
        variables: { customerId: 'c-1', sentAt: 'monday' },
      }),
    ]);
    d.completeJob(id, 'score', { score: 7 });
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.jobs.size).toBe(0);
    expect(d.trail(id)).toEqual([
      'ELEMENT_ACTIVATED task-kinds process',
      'ELEMENT_ACTIVATED start startEvent',
      'ELEMENT_COMPLETED start startEvent',
      'ELEMENT_ACTIVATED send_offer sendTask',
      'ELEMENT_COMPLETED send_offer sendTask',
      'ELEMENT_ACTIVATED score businessRuleTask',
      'ELEMENT_COMPLETED score businessRuleTask',
      'ELEMENT_ACTIVATED call_customer manualTask',
      'ELEMENT_COMPLETED call_customer manualTask',
      'ELEMENT_ACTIVATED file_it task',
      'ELEMENT_COMPLETED file_it task',
      'ELEMENT_ACTIVATED end endEvent',
      'ELEMENT_COMPLETED end endEvent',
      'ELEMENT_COMPLETED task-kinds process',
    ]);
    expect(d.variables(id)).toEqual({ customerId: 'c-1', sentAt: 'monday', score: 7 });
  });

  it('job type and retries may be FEEL expressions, evaluated when the job is created', async () => {
    const d = await Driver.load(['tasks/job-expressions.bpmn']);
    const id = d.start('job-expressions', { region: 'eu', retryBudget: 4 });
    expect(d.jobsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'charge', jobType: 'charge-eu', retries: 5 }),
    ]);
    d.completeJob(id, 'charge');
    expect(d.status(id)).toBe('COMPLETED');
  });

  it('a job type expression that yields no string is an EXPRESSION_ERROR; fixing the variable and resolving creates the job', async () => {
    const d = await Driver.load(['tasks/job-expressions.bpmn']);
    // "charge-" + null is null in FEEL.
    const id = d.start('job-expressions', { retryBudget: 0 });
    expect(d.jobs.size).toBe(0);
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'charge', type: 'EXPRESSION_ERROR' }),
    ]);
    expect(d.incidentsOf(id)[0].message).toContain('job type');
    expect(d.tokenElements(id)).toEqual(['charge:WAITING']);
    d.setVariables(id, { region: 'us' });
    d.resolveIncident(id, 'charge');
    expect(d.incidentsOf(id)).toEqual([]);
    expect(d.jobsOf(id)).toEqual([expect.objectContaining({ jobType: 'charge-us', retries: 1 })]);
    // The activation is retried, not repeated: one ELEMENT_ACTIVATED for the task.
    expect(d.trail(id).filter((l) => l.startsWith('ELEMENT_ACTIVATED charge'))).toHaveLength(1);
    expect(d.trail(id, ['INCIDENT_CREATED', 'INCIDENT_RESOLVED'])).toEqual([
      'INCIDENT_CREATED charge serviceTask',
      'INCIDENT_RESOLVED charge serviceTask',
    ]);
  });

  it('retries that evaluate to something other than a whole number >= 0 are an EXPRESSION_ERROR', async () => {
    const d = await Driver.load(['tasks/job-expressions.bpmn']);
    const id = d.start('job-expressions', { region: 'eu', retryBudget: -5 });
    expect(d.incidentsOf(id)).toEqual([
      expect.objectContaining({ elementId: 'charge', type: 'EXPRESSION_ERROR' }),
    ]);
    expect(d.incidentsOf(id)[0].message).toContain('retries');
    expect(d.jobs.size).toBe(0);
  });

  it('a script that fails to evaluate is an EXPRESSION_ERROR on the script task; resolve retries it', async () => {
    const d = await Driver.load(['tasks/script-errors.bpmn']);
    const id = d.start('script-errors', { text: 'abc', legacy: false });
    const [incident] = d.incidentsOf(id);
    expect(incident).toMatchObject({ elementId: 'parse_amount', type: 'EXPRESSION_ERROR' });
    expect(incident.message).toContain('number');
    expect(d.variables(id)).toEqual({ text: 'abc', legacy: false });
    expect(d.tokenElements(id)).toEqual(['parse_amount:WAITING']);
    d.setVariables(id, { text: '21' });
    d.resolveIncident(id, 'parse_amount');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id)).toEqual({ text: '21', legacy: false, doubled: 42, sum: 43 });
  });

  it('a script whose assertion fails is an EXPRESSION_ERROR with the assertion cause', async () => {
    const d = await Driver.load(['tasks/script-errors.bpmn']);
    const id = d.start('script-errors', { text: '1', legacy: true });
    const [incident] = d.incidentsOf(id);
    expect(incident).toMatchObject({ elementId: 'checksum', type: 'EXPRESSION_ERROR' });
    expect(incident.message).toContain('legacy checksums are no longer supported');
    // The first script ran; its result stays.
    expect(d.variables(id)).toEqual({ text: '1', legacy: true, doubled: 2 });
    d.setVariables(id, { legacy: false });
    d.resolveIncident(id, 'checksum');
    expect(d.status(id)).toBe('COMPLETED');
    expect(d.variables(id).sum).toBe(3);
  });
});
