/** Text typed into a JSON field: its value, or what is wrong with it in words. */
export type ParsedJson<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

/** Any JSON value (a variable's new value). */
export function parseJson(text: string): ParsedJson<unknown> {
  if (text.trim() === '') return { error: 'empty: type a JSON value (null, 42, "text", {...})' };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
}

/** A JSON object (variables to start or complete with); empty text is `{}`. */
export function parseJsonObject(text: string): ParsedJson<Record<string, unknown>> {
  if (text.trim() === '') return { value: {} };
  const parsed = parseJson(text);
  if (parsed.error !== undefined) return parsed;
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { error: 'must be a JSON object, such as {"amount": 150}' };
  return { value: value as Record<string, unknown> };
}
