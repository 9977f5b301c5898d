import { DmnErrorCode, evaluateDecision } from '../src';
import { compiled, definitions, ENV, fixture } from './dmn-support';

const literal = (id: string, text: string, requires: string[] = [], extra = ''): string =>
  `<decision id="${id}" name="${id}">${requires
    .map((r) => `<informationRequirement><requiredDecision href="#${r}"/></informationRequirement>`)
    .join(
      '',
    )}${extra}<literalExpression id="${id}_e"><text>${text}</text></literalExpression></decision>`;

describe('evaluateDecision', () => {
  it('evaluates required decisions first and passes their results by id (Camunda models have no variables)', async () => {
    const drg = await compiled(fixture('dinner.dmn'));
    const result = evaluateDecision(
      drg,
      'greeting',
      { month: 12, guestCount: 4, guestName: 'Ada' },
      ENV,
    );
    expect(result.ok && result.output).toBe('Enjoy your stew, Ada');
    expect(result.ok && result.evaluatedDecisions.map((d) => [d.decisionId, d.output])).toEqual([
      ['season', 'winter'],
      ['dish', 'stew'],
      ['greeting', 'Enjoy your stew, Ada'],
    ]);
    const dish = result.ok ? result.evaluatedDecisions[1] : undefined;
    expect(dish).toEqual({
      decisionId: 'dish',
      decisionName: 'Dish',
      decisionType: 'DECISION_TABLE',
      versionTag: 'v2',
      output: 'stew',
      evaluatedInputs: [
        { inputId: 'Input_season', inputName: 'Season', inputValue: 'winter' },
        { inputId: 'Input_guests', inputName: 'How many guests', inputValue: 4 },
      ],
      matchedRules: [
        {
          ruleId: 'Rule_stew',
          ruleIndex: 1,
          evaluatedOutputs: [{ outputId: 'Output_dish', outputName: 'Dish', outputValue: 'stew' }],
        },
      ],
    });
  });

  it('evaluates a decision required twice once per evaluation', async () => {
    const drg = await compiled(
      definitions(
        [
          literal('base', 'n * 2'),
          literal('left', 'base + 1', ['base']),
          literal('right', 'base + 2', ['base']),
          literal('top', 'left + right', ['left', 'right']),
        ].join('\n'),
      ),
    );
    const result = evaluateDecision(drg, 'top', { n: 5 }, ENV);
    expect(result.ok && result.output).toBe(23);
    expect(result.ok && result.evaluatedDecisions.map((d) => d.decisionId)).toEqual([
      'base',
      'left',
      'right',
      'top',
    ]);
  });

  it('a failing required decision is named, and the decisions evaluated before it are listed', async () => {
    const drg = await compiled(
      definitions(
        [
          literal('ok', '1'),
          literal('broken', 'nope(ok)', ['ok']),
          literal('top', 'broken', ['broken']),
        ].join('\n'),
      ),
    );
    const result = evaluateDecision(drg, 'top', {}, ENV);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: DmnErrorCode.DECISION_EVALUATION_ERROR,
      decisionId: 'broken',
      elementId: 'broken_e',
      elementType: 'literalExpression',
    });
    expect(result.error.message).toMatch(
      /^Expected to evaluate decision 'top', but failed to evaluate the expression 'nope\(ok\)'/,
    );
    expect(result.evaluatedDecisions.map((d) => d.decisionId)).toEqual(['ok']);
  });

  it('an unknown decision id is DECISION_NOT_FOUND', async () => {
    const drg = await compiled(fixture('dinner.dmn'));
    expect(evaluateDecision(drg, 'nope', {}, ENV)).toEqual({
      ok: false,
      error: {
        code: DmnErrorCode.DECISION_NOT_FOUND,
        message:
          "Expected to evaluate decision 'nope', but no decision with id 'nope' in the graph 'dinner'",
        decisionId: 'nope',
        elementId: null,
        elementType: null,
      },
      evaluatedDecisions: [],
    });
  });

  it('invokes business knowledge models with bindings or from FEEL, and bounds recursion', async () => {
    const bkm = `
      <businessKnowledgeModel id="fee" name="fee">
        <encapsulatedLogic><formalParameter name="amount"/><formalParameter name="rate"/>
          <literalExpression><text>amount * rate</text></literalExpression></encapsulatedLogic>
      </businessKnowledgeModel>
      <businessKnowledgeModel id="count" name="count down">
        <knowledgeRequirement><requiredKnowledge href="#count"/></knowledgeRequirement>
        <encapsulatedLogic><formalParameter name="n"/>
          <literalExpression><text>if n = 0 then 0 else count down(n - 1)</text></literalExpression></encapsulatedLogic>
      </businessKnowledgeModel>
      <decision id="viaFeel" name="viaFeel"><knowledgeRequirement><requiredKnowledge href="#fee"/></knowledgeRequirement>
        <literalExpression><text>fee(rate: 0.5, amount: 10)</text></literalExpression></decision>
      <decision id="viaInvocation" name="viaInvocation"><knowledgeRequirement><requiredKnowledge href="#fee"/></knowledgeRequirement>
        <invocation><literalExpression><text>fee</text></literalExpression>
          <binding><parameter name="amount"/><literalExpression><text>100</text></literalExpression></binding>
          <binding><parameter name="rate"/><literalExpression><text>0.1</text></literalExpression></binding>
        </invocation></decision>
      <decision id="recursive" name="recursive"><knowledgeRequirement><requiredKnowledge href="#count"/></knowledgeRequirement>
        <literalExpression><text>count down(depth)</text></literalExpression></decision>`;
    const drg = await compiled(definitions(bkm), { limits: { maxCallDepth: 20 } });
    expect(evaluateDecision(drg, 'viaFeel', {}, ENV)).toMatchObject({ ok: true, output: 5 });
    expect(evaluateDecision(drg, 'viaInvocation', {}, ENV)).toMatchObject({ ok: true, output: 10 });
    expect(evaluateDecision(drg, 'recursive', { depth: 5 }, ENV)).toMatchObject({
      ok: true,
      output: 0,
    });
    expect(evaluateDecision(drg, 'recursive', { depth: 500 }, ENV)).toMatchObject({
      ok: false,
      error: { code: DmnErrorCode.EVALUATION_LIMIT_EXCEEDED, decisionId: 'recursive' },
    });
  });

  it('bounds the steps of one evaluation', async () => {
    const drg = await compiled(definitions(literal('d', '1')), {
      limits: { maxEvaluationSteps: 0 },
    });
    expect(evaluateDecision(drg, 'd', {}, ENV)).toMatchObject({
      ok: false,
      error: {
        code: DmnErrorCode.EVALUATION_LIMIT_EXCEEDED,
        message: expect.stringMatching(/more than 0 steps/),
      },
    });
  });

  it('boxed contexts, lists, relations and conditionals; temporal results are ISO 8601 strings', async () => {
    const drg = await compiled(
      definitions(`
        <decision id="ctx" name="ctx"><context>
          <contextEntry><variable name="a"/><literalExpression><text>2</text></literalExpression></contextEntry>
          <contextEntry><variable name="due"/><literalExpression><text>date("2025-01-31") + duration("P1D")</text></literalExpression></contextEntry>
          <contextEntry><variable name="rows"/><relation><column name="x"/><column name="y"/>
            <row><literalExpression><text>a</text></literalExpression><literalExpression><text>"one"</text></literalExpression></row>
          </relation></contextEntry>
          <contextEntry><variable name="items"/><list><literalExpression><text>a * 2</text></literalExpression></list></contextEntry>
        </context></decision>
        <decision id="cond" name="cond"><conditional>
          <if><literalExpression><text>flag</text></literalExpression></if>
          <then><literalExpression><text>"yes"</text></literalExpression></then>
          <else><literalExpression><text>"no"</text></literalExpression></else>
        </conditional></decision>`),
    );
    expect(evaluateDecision(drg, 'ctx', {}, ENV)).toMatchObject({
      ok: true,
      output: { a: 2, due: '2025-02-01', rows: [{ x: 2, y: 'one' }], items: [4] },
    });
    expect(evaluateDecision(drg, 'cond', { flag: false }, ENV)).toMatchObject({
      ok: true,
      output: 'no',
    });
    expect(evaluateDecision(drg, 'cond', { flag: 'x' }, ENV)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/the condition must be true, false or null/) },
    });
  });

  it('now() and today() read the clock of the environment, never the machine', async () => {
    const drg = await compiled(
      definitions(literal('clock', 'string(today()) + " " + string(now())')),
    );
    expect(
      evaluateDecision(drg, 'clock', {}, { now: () => Date.UTC(2001, 1, 3, 4, 5, 6) }),
    ).toMatchObject({
      ok: true,
      output: '2001-02-03 2001-02-03T04:05:06Z',
    });
  });

  it("checks a decision's result against its type reference, unwrapping a singleton list", async () => {
    const typed = (typeRef: string, text: string): string =>
      `<decision id="${typeRef}" name="${typeRef}"><variable name="${typeRef}" typeRef="${typeRef}"/><literalExpression><text>${text}</text></literalExpression></decision>`;
    const drg = await compiled(definitions(typed('string', '["one"]') + typed('number', '"two"')));
    expect(evaluateDecision(drg, 'string', {}, ENV)).toMatchObject({ ok: true, output: 'one' });
    expect(evaluateDecision(drg, 'number', {}, ENV)).toMatchObject({
      ok: false,
      error: {
        decisionId: 'number',
        message: expect.stringMatching(/the decision result "two" is not of type 'number'/),
      },
    });
  });

  it('names like __proto__ stay entries: no prototype is touched', async () => {
    const drg = await compiled(
      definitions(
        `<decision id="p" name="p"><variable name="__proto__"/><literalExpression><text>{polluted: true}</text></literalExpression></decision>` +
          literal('top', 'a + 1', ['p']),
      ),
    );
    const variables = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<
      string,
      unknown
    >;
    expect(evaluateDecision(drg, 'top', variables, ENV)).toMatchObject({ ok: true, output: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
