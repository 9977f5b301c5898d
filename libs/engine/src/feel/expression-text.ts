/** A BPMN attribute value is a FEEL expression when it starts with `=` (leading whitespace aside). */
export function isExpression(value: string): boolean {
  return value.trimStart().startsWith('=');
}

/** The FEEL text of an expression value: without the leading `=` and the surrounding whitespace. */
export function expressionSource(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('=') ? trimmed.slice(1).trim() : trimmed;
}
