import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, ProblemSchema, STATUS_TITLES } from './problem';

/**
 * OpenAPI from the same zod schemas that validate requests (z.toJSONSchema),
 * so the document cannot drift from what the API accepts.
 */
export function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  return z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      // `format` says it; zod's regular expressions for uuid and date-time only add noise to the document.
      if (jsonSchema.format === 'uuid' || jsonSchema.format === 'date-time') delete jsonSchema.pattern;
      // `.int()` alone bounds an integer by ±Number.MAX_SAFE_INTEGER: no limit of the API, and Swagger UI
      // would show 9007199254740991 as the example value. Only bounds the schema sets itself are kept.
      if (jsonSchema.type === 'integer') {
        if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
        if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      }
    },
  }) as SchemaObject;
}

/**
 * A JSON request body. `required` (default true) says whether the route
 * needs one: false only where an absent body means the same as `{}`.
 */
export const ApiJsonBody = (schema: z.ZodType, options: { description?: string; required?: boolean } = {}) =>
  ApiBody({ schema: schemaOf(schema, 'input'), description: options.description, required: options.required ?? true });

/** An example 64-bit key, as the API writes keys: a decimal string. */
export const EXAMPLE_KEY = '2251799813685249';

/**
 * A `{name}` path parameter holding a 64-bit key (instance, task, job,
 * incident ids). Declared explicitly: @nestjs/swagger infers path parameters
 * from decorator metadata, which `npm start` (tsx) does not emit.
 */
export const ApiKeyParam = (name: string, description: string) =>
  ApiParam({
    name,
    required: true,
    description: `${description} (a 64-bit key as a decimal string)`,
    schema: { type: 'string', pattern: '^[1-9][0-9]{0,18}$', example: EXAMPLE_KEY },
  });

/** The `{key}` path parameter of process routes: the BPMN `<process id>`. */
export const ApiProcessKeyParam = () =>
  ApiParam({
    name: 'key',
    required: true,
    description: 'The BPMN `<process id>` of a deployed process',
    schema: { type: 'string', example: 'order' },
  });

export const ApiJsonResponse = (status: number, schema: z.ZodType, description: string) =>
  ApiResponse({ status, description, schema: schemaOf(schema) });

const problemSchema = schemaOf(ProblemSchema);

/** Error answers, as `application/problem+json`. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: STATUS_TITLES[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
      }),
    ),
  );

/** One `ApiQuery` per key of a query schema. */
export const ApiQueryFrom = (schema: z.ZodObject) =>
  applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiQuery({ name, required: !(field as z.ZodType).safeParse(undefined).success, schema: schemaOf(field as z.ZodType, 'input') }),
    ),
  );

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page') });
