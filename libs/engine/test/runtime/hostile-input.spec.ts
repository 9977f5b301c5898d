import {
  compileBpmn,
  createInstance,
  execute,
  processVariables,
  type CompiledProcess,
  type Effect,
  type EngineEnv,
  type InstanceState,
} from '../../src';

/**
 * What one bad model or one bad value can do to a step: never more than an
 * incident on the element that caused it. The engine computes values (script
 * results, mappings, variables handed in) and runs elements for bounded work
 * and time; over a bound, the element gets an incident naming the setting.
 */

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"`;

function scriptModel(expression: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="script">
      <bpmn:extensionElements>
        <zeebe:script expression="${expression}" resultVariable="result" />${extra}
      </bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script" />
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

const serviceTask = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

function chain(length: number): string {
  const tasks = Array.from({ length }, (_, i) => `<bpmn:task id="t${i}" />`).join('');
  const flows = Array.from({ length: length - 1 }, (_, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="t${i}" targetRef="t${i + 1}" />`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />${tasks}${flows}<bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="fs" sourceRef="start" targetRef="t0" />
    <bpmn:sequenceFlow id="fe" sourceRef="t${length - 1}" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

async function compile(xml: string): Promise<CompiledProcess> {
  const compiled = await compileBpmn(xml);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.definitions.processes[0];
}

function env(overrides: Partial<EngineEnv> = {}): EngineEnv {
  let ids = 0;
  return { now: () => Date.UTC(2026, 0, 1), newId: () => `e${++ids}`, ...overrides };
}

function start(process: CompiledProcess, e: EngineEnv, variables = {}): { state: InstanceState; effects: readonly Effect[] } {
  const { state } = createInstance(process, { instanceId: 'i', variables }, e);
  return execute(process, state, [], e);
}

const incidentsOf = (effects: readonly Effect[]) =>
  effects.filter((e): e is Extract<Effect, { type: 'raiseIncident' }> => e.type === 'raiseIncident');

describe('hostile input', () => {
  describe('FEEL bounds', () => {
    it('a script that builds a huge list is an EXPRESSION_ERROR incident naming the bound, not an out-of-memory', async () => {
      const process = await compile(scriptModel('= for i in 1..100000000 return i'));
      const result = start(process, env());
      const [incident] = incidentsOf(result.effects);
      expect(incident).toMatchObject({ incidentType: 'EXPRESSION_ERROR', elementId: 'script' });
      expect(incident.message).toMatch(/FEEL_MAX_(WORK|LIST_LENGTH)/);
      expect(result.state.status).toBe('ACTIVE');
      expect(processVariables(result.state)).not.toHaveProperty('result');
    });

    it('a tighter bound from the environment applies', async () => {
      const process = await compile(scriptModel('= for i in 1..500 return i'));
      expect(incidentsOf(start(process, env()).effects)).toEqual([]);
      const tight = start(process, env({ feelLimits: { maxWork: 1_000_000, maxListLength: 100, maxStringLength: 1_000, maxContextEntries: 100, maxDepth: 50 } }));
      expect(incidentsOf(tight.effects)).toEqual([expect.objectContaining({ incidentType: 'EXPRESSION_ERROR', message: expect.stringContaining('FEEL_MAX_LIST_LENGTH') })]);
    });

    it('a catastrophic regular expression answers at once', async () => {
      const model = await compile(scriptModel('= matches(&quot;aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!&quot;, &quot;(a+)+$&quot;)'));
      const started = Date.now();
      const result = start(model, env());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result.state.status).toBe('COMPLETED');
      expect(processVariables(result.state).result).toBe(false);
    });
  });

  describe('MAX_VARIABLE_SIZE on values the engine computes', () => {
    const limit = { maxVariableSize: 1_024 };

    it('a script result over the limit is a VARIABLE_LIMIT_EXCEEDED incident naming the variable', async () => {
      const process = await compile(scriptModel('= string join(for i in 1..2000 return &quot;x&quot;)'));
      const result = start(process, env(limit));
      const [incident] = incidentsOf(result.effects);
      expect(incident).toMatchObject({ incidentType: 'VARIABLE_LIMIT_EXCEEDED', elementId: 'script' });
      expect(incident.message).toContain("'result'");
      expect(incident.message).toContain('MAX_VARIABLE_SIZE');
      expect(processVariables(result.state)).not.toHaveProperty('result');
    });

    it('the same script under the limit completes', async () => {
      const process = await compile(scriptModel('= string join(for i in 1..200 return &quot;x&quot;)'));
      const result = start(process, env(limit));
      expect(incidentsOf(result.effects)).toEqual([]);
      expect(processVariables(result.state).result).toBe('x'.repeat(200));
    });

    it('an output mapping over the limit is an incident on its element', async () => {
      const mapping = `<zeebe:ioMapping><zeebe:output source="= string join(for i in 1..2000 return &quot;y&quot;)" target="big" /></zeebe:ioMapping>`;
      const process = await compile(scriptModel('= 1', mapping));
      const result = start(process, env(limit));
      expect(incidentsOf(result.effects)).toEqual([
        expect.objectContaining({ incidentType: 'VARIABLE_LIMIT_EXCEEDED', elementId: 'script', message: expect.stringContaining("'big'") }),
      ]);
      expect(processVariables(result.state)).not.toHaveProperty('big');
    });

    it('a job completed with a variable over the limit leaves the task in an incident, its variables unwritten', async () => {
      const process = await compile(serviceTask);
      const e = env(limit);
      const first = start(process, e);
      const job = first.effects.find((x) => x.type === 'createJob') as Extract<Effect, { type: 'createJob' }>;
      const result = execute(process, first.state, [{ type: 'complete', elementInstanceId: job.elementInstanceId, variables: { blob: 'z'.repeat(5_000), ok: 1 } }], e);
      expect(incidentsOf(result.effects)).toEqual([
        expect.objectContaining({ incidentType: 'VARIABLE_LIMIT_EXCEEDED', elementId: 'work', message: expect.stringContaining("'blob'") }),
      ]);
      expect(result.state.status).toBe('ACTIVE');
      expect(processVariables(result.state)).not.toHaveProperty('blob');
      expect(processVariables(result.state)).not.toHaveProperty('ok');
    });
  });

  describe('values no store takes', () => {
    async function completeWith(variables: Record<string, unknown>) {
      const process = await compile(serviceTask);
      const e = env({ maxVariableSize: 1_000_000 });
      const first = start(process, e);
      const job = first.effects.find((x) => x.type === 'createJob') as Extract<Effect, { type: 'createJob' }>;
      return execute(process, first.state, [{ type: 'complete', elementInstanceId: job.elementInstanceId, variables }], e);
    }

    it.each([
      ['a string', { note: 'a\u0000b' }],
      ['a nested string', { order: { lines: [{ note: 'x\u0000' }] } }],
      ['a nested key', { order: { 'bad\u0000key': 1 } }],
    ])('U+0000 in %s is an incident naming the variable; nothing is written', async (_, variables) => {
      const result = await completeWith(variables);
      expect(incidentsOf(result.effects)).toEqual([
        expect.objectContaining({ incidentType: 'VARIABLE_LIMIT_EXCEEDED', elementId: 'work', message: expect.stringContaining('U+0000') }),
      ]);
      expect(incidentsOf(result.effects)[0].message).toContain(`'${Object.keys(variables)[0]}'`);
      expect(processVariables(result.state)).toEqual({});
    });

    it('text that only spells a backslash-u-0000 is fine', async () => {
      const result = await completeWith({ note: 'a\\u0000b' });
      expect(incidentsOf(result.effects)).toEqual([]);
      expect(processVariables(result.state)).toEqual({ note: 'a\\u0000b' });
    });
  });

  describe('STEP_TIME_BUDGET_MS', () => {
    it('stops a long run at the time budget with an incident naming the setting and the element, not a loop', async () => {
      const process = await compile(chain(2_000));
      let clock = 0;
      // Every read of the clock advances it 1 ms: the run crosses 100 ms after about 100 checks.
      const result = start(process, env({ now: () => (clock += 1), stepTimeBudgetMs: 100 }));
      const incidents = incidentsOf(result.effects);
      expect(incidents).toHaveLength(1);
      expect(incidents[0].incidentType).toBe('STEP_BUDGET_EXCEEDED');
      expect(incidents[0].message).toContain('STEP_TIME_BUDGET_MS');
      expect(incidents[0].message).not.toMatch(/loop/);
      expect(incidents[0].elementId).toMatch(/^t\d+$/);
      expect(result.state.status).toBe('ACTIVE');
    });

    it('the same model runs to its end without the budget', async () => {
      const process = await compile(chain(2_000));
      let clock = 0;
      const result = start(process, env({ now: () => (clock += 1) }));
      expect(incidentsOf(result.effects)).toEqual([]);
      expect(result.state.status).toBe('COMPLETED');
    });
  });

  describe('user task dates', () => {
    const userTask = (date: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review">
      <bpmn:extensionElements><zeebe:userTask /><zeebe:taskSchedule followUpDate="${date}" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
  </bpmn:process>
</bpmn:definitions>`;
    const createdTask = (effects: readonly Effect[]) => effects.find((e) => e.type === 'createUserTask') as Extract<Effect, { type: 'createUserTask' }> | undefined;

    it.each(['soon', '2026-02-30T09:00:00Z', '2026-03-01T25:00:00Z', '2026-03-01 09:00'])(
      'a follow-up date %j that is no date-time is an EXPRESSION_ERROR incident naming the task, no task',
      async (value) => {
        const process = await compile(userTask('= when'));
        const result = start(process, env(), { when: value });
        expect(createdTask(result.effects)).toBeUndefined();
        expect(incidentsOf(result.effects)).toEqual([
          expect.objectContaining({ incidentType: 'EXPRESSION_ERROR', elementId: 'review', message: expect.stringContaining('follow-up date') }),
        ]);
      },
    );

    it('takes an offset date-time, a FEEL date and time, and drops a zone id after the offset', async () => {
      const process = await compile(userTask('= when'));
      expect(createdTask(start(process, env(), { when: '2026-03-01T09:00:00.5+01:00' }).effects)?.followUpDate).toBe('2026-03-01T09:00:00.5+01:00');
      expect(createdTask(start(process, env(), { when: '2026-03-01T09:00:00+01:00[Europe/Berlin]' }).effects)?.followUpDate).toBe('2026-03-01T09:00:00+01:00');
      const feel = await compile(userTask('= now() + duration(&quot;P1D&quot;)'));
      expect(createdTask(start(feel, env()).effects)?.followUpDate).toBe('2026-01-02T00:00:00Z');
    });
  });

  describe('STEP_BUDGET', () => {
    it('a wide parallel fork and join is no loop: it completes under a small budget', async () => {
      const width = 300;
      const branches = Array.from({ length: width }, (_, i) =>
        `<bpmn:task id="b${i}" /><bpmn:sequenceFlow id="in${i}" sourceRef="fork" targetRef="b${i}" /><bpmn:sequenceFlow id="out${i}" sourceRef="b${i}" targetRef="join" />`,
      ).join('');
      const process = await compile(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:parallelGateway id="fork" /><bpmn:parallelGateway id="join" /><bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" /><bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="end" />${branches}
  </bpmn:process>
</bpmn:definitions>`);
      const result = start(process, env({ stepBudget: 50 }));
      expect(incidentsOf(result.effects)).toEqual([]);
      expect(result.state.status).toBe('COMPLETED');
    });
  });

  describe('incident events from the host', () => {
    it('set a READY element aside on the phase it was about to run; nothing runs it until resolved', async () => {
      const process = await compile(scriptModel('= 1 + 1'));
      const e = env();
      const { state } = createInstance(process, { instanceId: 'i' }, e);
      const ready = Object.values(state.elements).find((x) => x.state === 'READY');
      expect(ready).toBeDefined();
      const result = execute(process, state, [{ type: 'incident', elementInstanceId: ready!.id, incidentType: 'STEP_FAILED', message: 'start: set aside' }], e, { run: false });
      expect(incidentsOf(result.effects)).toEqual([expect.objectContaining({ incidentType: 'STEP_FAILED', elementId: 'p' })]);
      expect(result.state.status).toBe('ACTIVE');
      expect(processVariables(result.state)).not.toHaveProperty('result');
      // Stepping again runs nothing; a second incident for the same element changes nothing.
      const again = execute(process, result.state, [{ type: 'incident', elementInstanceId: ready!.id, incidentType: 'STEP_FAILED', message: 'again' }], e);
      expect(again.effects).toEqual([]);
      expect(again.state.status).toBe('ACTIVE');
      // Resolving retries the phase it was about to run: the instance runs to its end.
      const resolved = execute(process, again.state, [{ type: 'resolveIncident', elementInstanceId: ready!.id }], e);
      expect(resolved.state.status).toBe('COMPLETED');
      expect(processVariables(resolved.state)).toEqual({ result: 2 });
    });
  });
});
