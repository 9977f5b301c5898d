import { compileExpression, fromAiParameters, FromAiError } from '../../src';

/** Cases from Zeebe's TaggedParameterExtractorTest (Camunda 8.8). */
describe('fromAi parameters', () => {
  it.each([
    ['"hello"', []],
    ['fromAi(toolCall.aSimpleValue)', [{ name: 'toolCall.aSimpleValue' }]],
    [
      'fromAi(toolCall.v, "A simple value", "string")',
      [{ name: 'toolCall.v', description: 'A simple value', type: 'string' }],
    ],
    [
      'fromAi(toolCall.v, "A simple value", "string", { enum: ["A", "B", "C"] }, { optional: true })',
      [
        {
          name: 'toolCall.v',
          description: 'A simple value',
          type: 'string',
          schema: { enum: ['A', 'B', 'C'] },
          options: { optional: true },
        },
      ],
    ],
    [
      'fromAi(aSimpleValue, "A simple value")',
      [{ name: 'aSimpleValue', description: 'A simple value' }],
    ],
    [
      'fromAi(description: "A simple value", options: { optional: true }, type: "string", value: toolCall.v)',
      [
        {
          name: 'toolCall.v',
          description: 'A simple value',
          type: 'string',
          options: { optional: true },
        },
      ],
    ],
    [
      'fromAi(toolCall.multiValue, "Select", "array", { "items": { "type": "string", "enum": ["foo", "bar"] } })',
      [
        {
          name: 'toolCall.multiValue',
          description: 'Select',
          type: 'array',
          schema: { items: { type: 'string', enum: ['foo', 'bar'] } },
        },
      ],
    ],
    [
      '1 + 2 + number(fromAi(toolCall.third, "The third value", "integer"))',
      [{ name: 'toolCall.third', description: 'The third value', type: 'integer' }],
    ],
    [
      '{ foo: "bar", bar: fromAi(barValue, "A bar"), combined: string(fromAi(toolCall.first)) + fromAi(toolCall.second, "The second") }',
      [
        { name: 'barValue', description: 'A bar' },
        { name: 'toolCall.first' },
        { name: 'toolCall.second', description: 'The second' },
      ],
    ],
    [
      '[fromAi(toolCall.a, "A", "string"), { b: fromAi(toolCall.b, "B", "integer") }]',
      [
        { name: 'toolCall.a', description: 'A', type: 'string' },
        { name: 'toolCall.b', description: 'B', type: 'integer' },
      ],
    ],
  ])('%s', (source, expected) => {
    expect(fromAiParameters(source)).toEqual(expected);
  });

  it.each([
    [
      'fromAi("toolCall.myVariable")',
      "Expected fromAi() parameter 'value' to be a reference (e.g. 'toolCall.customParameter'), but received string 'toolCall.myVariable'.",
    ],
    [
      'fromAi(10)',
      "Expected fromAi() parameter 'value' to be a reference (e.g. 'toolCall.customParameter'), but received '10'.",
    ],
    [
      'fromAi(value: toolCall.v, description: 10)',
      "Expected fromAi() parameter 'description' to be a string, but received '10'.",
    ],
    [
      'fromAi(value: toolCall.v, type: "str" + "ing")',
      "Expected fromAi() parameter 'type' to be a string, but received an arithmetic expression.",
    ],
    [
      'fromAi(value: toolCall.v, schema: "dummy")',
      "Expected fromAi() parameter 'schema' to be a context (map), but received string 'dummy'.",
    ],
    [
      'fromAi(value: toolCall.v, options: context put({}, "a", 1))',
      "Expected fromAi() parameter 'options' to be a context (map), but received a call of context put().",
    ],
  ])('refuses %s', (source, message) => {
    expect(() => fromAiParameters(source)).toThrow(new FromAiError(message));
  });

  it('evaluates to its value at run time', () => {
    expect(
      compileExpression('fromAi(toolCall.city, "The city", "string")').evaluate({
        toolCall: { city: 'Paris' },
      }),
    ).toBe('Paris');
  });
});
