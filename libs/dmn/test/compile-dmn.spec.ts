import { compileDmn, DmnErrorCode, evaluateDecision } from '../src';
import { compiled, definitions, ENV, fixture, tableDmn } from './dmn-support';

describe('compileDmn', () => {
  it('reads a Camunda Modeler DMN 1.3 file: decisions, names, version tags, requirements', async () => {
    const drg = await compiled(fixture('dinner.dmn'));
    expect({ id: drg.id, name: drg.name, dmnVersion: drg.dmnVersion }).toEqual({
      id: 'dinner',
      name: 'Dinner',
      dmnVersion: '1.3',
    });
    expect(drg.decisions).toEqual([
      {
        id: 'season',
        name: 'Season',
        decisionType: 'DECISION_TABLE',
        requiredDecisions: [],
        resultName: 'season',
      },
      {
        id: 'dish',
        name: 'Dish',
        versionTag: 'v2',
        decisionType: 'DECISION_TABLE',
        requiredDecisions: ['season'],
        resultName: 'dish',
      },
      {
        id: 'greeting',
        name: 'Greeting',
        decisionType: 'LITERAL_EXPRESSION',
        requiredDecisions: ['dish'],
        resultName: 'greeting',
      },
    ]);
  });

  it('reads every DMN namespace from 1.1 to 1.5', async () => {
    const namespaces = {
      '1.1': 'http://www.omg.org/spec/DMN/20151101/dmn.xsd',
      '1.2': 'http://www.omg.org/spec/DMN/20180521/MODEL/',
      '1.3': 'https://www.omg.org/spec/DMN/20191111/MODEL/',
      '1.4': 'https://www.omg.org/spec/DMN/20211108/MODEL/',
      '1.5': 'https://www.omg.org/spec/DMN/20230324/MODEL/',
    };
    for (const [version, ns] of Object.entries(namespaces)) {
      const drg = await compiled(
        definitions(
          '<decision id="d" name="D"><literalExpression><text>1 + 2</text></literalExpression></decision>',
          ns,
        ),
      );
      expect({
        version: drg.dmnVersion,
        output: evaluateDecision(drg, 'd', {}, ENV),
      }).toMatchObject({
        version,
        output: { ok: true, output: 3 },
      });
    }
  });

  it('refuses a table whose rules do not fit its columns, naming the rule', async () => {
    const xml = tableDmn({
      inputs: ['a', 'b'],
      outputs: [{}],
      rules: [{ in: ['1'], out: ['"x"'] }],
    });
    expect(await compileDmn(xml)).toEqual({
      ok: false,
      errors: [
        {
          elementId: 'r1',
          elementType: 'rule',
          message: 'the rule has 1 input entries for 2 inputs',
        },
      ],
    });
  });

  it('refuses FEEL that does not parse, naming the input entry or expression', async () => {
    const xml = tableDmn({
      inputs: ['a'],
      outputs: [{}],
      rules: [{ in: ['[1..'], out: ['"x" +'] }],
    });
    const result = await compileDmn(xml);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.elementId, e.elementType])).toEqual([
      ['r1i1', 'inputEntry'],
      ['r1o1', 'outputEntry'],
    ]);
    expect(result.errors[0].message).toMatch(
      /^the input entry does not parse: '\[1\.\.' does not parse/,
    );
  });

  it('refuses hit policy misuse: an aggregation without COLLECT, PRIORITY without output values', async () => {
    const aggregation = await compileDmn(
      tableDmn({ hitPolicy: 'FIRST', aggregation: 'SUM', inputs: ['a'], outputs: [{}], rules: [] }),
    );
    expect(!aggregation.ok && aggregation.errors[0]).toEqual({
      elementId: 't',
      elementType: 'decisionTable',
      message: 'the aggregation SUM needs the hit policy COLLECT, not FIRST',
    });
    const priority = await compileDmn(
      tableDmn({ hitPolicy: 'PRIORITY', inputs: ['a'], outputs: [{}], rules: [] }),
    );
    expect(!priority.ok && priority.errors[0].message).toBe(
      'the hit policy PRIORITY ranks rules by output values, but no output lists any',
    );
  });

  it('refuses cycles and dangling requirements, naming the decision that holds them', async () => {
    const cycle = await compileDmn(
      definitions(`
        <decision id="a" name="a"><informationRequirement><requiredDecision href="#b"/></informationRequirement><literalExpression><text>b</text></literalExpression></decision>
        <decision id="b" name="b"><informationRequirement><requiredDecision href="#a"/></informationRequirement><literalExpression><text>a</text></literalExpression></decision>
        <decision id="c" name="c"><informationRequirement><requiredDecision href="#missing"/></informationRequirement><literalExpression><text>1</text></literalExpression></decision>`),
    );
    expect(!cycle.ok && cycle.errors).toEqual([
      {
        elementId: 'c',
        elementType: 'decision',
        message: "the required decision refers to 'missing', but no decision has that id",
      },
      {
        elementId: 'a',
        elementType: 'decision',
        message: 'the decision is on, or depends on, a cycle of required decisions',
      },
      {
        elementId: 'b',
        elementType: 'decision',
        message: 'the decision is on, or depends on, a cycle of required decisions',
      },
    ]);
  });

  it('refuses hostile or foreign documents at document level', async () => {
    const doctype = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "xx">]>${definitions('').slice(definitions('').indexOf('<definitions'))}`;
    const cases: Array<[string, RegExp, Parameters<typeof compileDmn>[1]?]> = [
      [doctype, /DOCTYPE and entity declarations are not allowed/],
      ['<a><b/></a>', /not a DMN document: no DMN 1.1 to 1.5 namespace/],
      ['not xml', /the document is not XML/],
      [definitions('<decision id="d"/>'), /more than 1 deep/, { limits: { maxXmlDepth: 1 } }],
      [
        definitions('<decision id="d"/>'),
        /bytes, more than the limit of 100/,
        { limits: { maxXmlBytes: 100 } },
      ],
      [definitions(''), /the document has no decision/],
    ];
    for (const [xml, message, options] of cases) {
      const result = await compileDmn(xml, options);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toEqual({
        elementId: null,
        elementType: null,
        message: expect.stringMatching(message),
      });
    }
  });

  it('with invalidDecisions: fail-on-evaluation keeps the graph and fails only the broken decision', async () => {
    const xml = definitions(`
      <decision id="good" name="good"><literalExpression><text>1</text></literalExpression></decision>
      <decision id="bad" name="bad"><literalExpression id="e"><text>1 +</text></literalExpression></decision>`);
    expect((await compileDmn(xml)).ok).toBe(false);
    const drg = await compiled(xml, { invalidDecisions: 'fail-on-evaluation' });
    expect(evaluateDecision(drg, 'good', {}, ENV)).toMatchObject({ ok: true, output: 1 });
    expect(evaluateDecision(drg, 'bad', {}, ENV)).toMatchObject({
      ok: false,
      error: { code: DmnErrorCode.DECISION_EVALUATION_ERROR, decisionId: 'bad', elementId: 'e' },
    });
  });
});
