import { evaluate, parseExpression } from 'feelin';
import { FeelEvaluationError, FeelSyntaxError, type CompiledExpression } from './feel.types';

// Placeholder: parses once to validate, evaluates through feelin on every call.
// Replaced by the compiled evaluator.
export function compileExpression(source: string): CompiledExpression {
  try {
    const tree = parseExpression(source);
    let hasError = false;
    tree.iterate({ enter: (n) => { if (n.type.isError) hasError = true; } });
    if (hasError) throw new Error(`FEEL expression does not parse: ${source}`);
  } catch (e) {
    throw new FeelSyntaxError(source, (e as Error).message);
  }
  return {
    source,
    variables: [],
    evaluate(context) {
      const { value, warnings } = evaluate(source, { ...context });
      void warnings;
      if (value === undefined) throw new FeelEvaluationError(source, 'no value');
      return value;
    },
  };
}
