/** What the authentication suites share: credentials as headers, and a request that reads any answer. */

export type Json = Record<string, unknown>;

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export const basic = (name: string, password: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`,
});

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body; undefined when empty or not JSON. */
  readonly body: Json | undefined;
  readonly text: string;
}

/** `call(method, path, headers, body)` against `origin`; a body is sent as JSON. */
export function caller(origin: () => string) {
  return async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${origin()}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Json | undefined;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as Json);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
}
