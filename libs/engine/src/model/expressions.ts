import { compileExpression, FeelSyntaxError, quoteExpression, type CompiledExpression } from '../feel';
import type { ValueSource } from './model.types';
import type { ModdleElement } from './moddle-element';
import type { Problems } from './problems';

/**
 * Compiles the values of a model, reporting what does not parse against the
 * element and attribute it came from.
 */
export class ExpressionCompiler {
  constructor(private readonly problems: Problems) {}

  /**
   * An attribute that is always FEEL (input mapping sources once quoted,
   * loop cardinality, completion conditions): a leading `=` is optional.
   */
  feel(
    text: string | undefined,
    el: ModdleElement,
    attribute: string,
  ): CompiledExpression | undefined {
    if (text === undefined) return undefined;
    const trimmed = text.trim();
    const source = trimmed.startsWith('=') ? trimmed.slice(1).trim() : trimmed;
    if (source.length === 0) {
      this.problems.at(el, `${attribute} is empty`);
      return undefined;
    }
    return this.compile(source, el, attribute);
  }

  /**
   * An attribute Camunda 8 only takes as an expression (conditions, script
   * expressions, output mapping sources, correlation keys, input collections,
   * output elements): the text must start with `=`. A static value is refused
   * as Camunda 8 refuses it ("Expected expression but found static value").
   */
  expression(
    text: string | undefined,
    el: ModdleElement,
    attribute: string,
  ): CompiledExpression | undefined {
    if (text === undefined) return undefined;
    if (!text.trimStart().startsWith('=')) {
      const shown = text.trim().length > 60 ? `${text.trim().slice(0, 57)}...` : text.trim();
      this.problems.at(
        el,
        `${attribute} must be a FEEL expression starting with '=', but is the static value '${shown}'`,
      );
      return undefined;
    }
    return this.feel(text, el, attribute);
  }

  /** A value that is FEEL when it starts with `=`, a literal string otherwise. */
  value(text: string | undefined, el: ModdleElement, attribute: string): ValueSource | undefined {
    if (text === undefined) return undefined;
    const trimmed = text.trimStart();
    if (!trimmed.startsWith('=')) return { kind: 'literal', value: text };
    const source = trimmed.slice(1).trim();
    if (source.length === 0) {
      this.problems.at(el, `${attribute} is an empty expression ('=')`);
      return undefined;
    }
    const expression = this.compile(source, el, attribute);
    return expression ? { kind: 'expression', expression } : undefined;
  }

  private compile(
    source: string,
    el: ModdleElement,
    attribute: string,
  ): CompiledExpression | undefined {
    try {
      return compileExpression(source);
    } catch (e) {
      if (!(e instanceof FeelSyntaxError)) throw e;
      const detail = e.message && !e.message.includes(source) ? ` (${e.message})` : '';
      this.problems.at(el, `${attribute}: FEEL expression ${quoteExpression(source)} does not parse${detail}`);
      return undefined;
    }
  }
}

export function literal(value: string): ValueSource {
  return { kind: 'literal', value };
}
