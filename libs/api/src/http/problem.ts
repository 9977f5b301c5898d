import { z } from 'zod';

/** RFC 9457 problem details, with Baton's extensions `code` and `errors`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The request path the problem occurred on. */
  readonly instance: string;
  /** A stable machine-readable code (`NOT_FOUND`, `INVALID_DEFINITION`, ...). */
  readonly code?: string;
  /** Per-item causes: `{ elementId, elementType, message }` for BPMN, `{ field, message }` for input, `{ variable, message }` for limits. */
  readonly errors?: readonly object[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** For the OpenAPI document. */
export const ProblemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem (`urn:baton:problem:*`, or `about:blank`)'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('The request path'),
    code: z.string().optional(),
    errors: z
      .array(
        z.object({
          message: z.string(),
          elementId: z.string().nullable().optional(),
          elementType: z.string().nullable().optional(),
          field: z.string().optional(),
          variable: z.string().optional(),
        }),
      )
      .optional(),
  })
  .describe('RFC 9457 problem details');
