import { runInNewContext } from 'node:vm';
import { compileExpression } from '../../src';

describe('variables from another realm', () => {
  it('a plain object copied across a realm boundary (structuredClone, a vm context) is a context', () => {
    const foreign = runInNewContext(
      '({ toolCall: { _meta: { id: "c1" }, list: [1, 2] } })',
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    expect(
      compileExpression('{id: toolCall._meta.id, n: count(toolCall.list)}').evaluate(foreign),
    ).toEqual({ id: 'c1', n: 2 });
  });

  it('an instance of a class is still not a context', () => {
    class Money {
      amount = 5;
    }
    expect(compileExpression('m.amount').evaluate({ m: new Money() })).toBeNull();
  });
});
